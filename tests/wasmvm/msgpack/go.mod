module github.com/shamaton/msgpack/v2

go 1.22
