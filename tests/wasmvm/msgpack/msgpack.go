// Package msgpack stands in for github.com/shamaton/msgpack/v2, which is not
// packaged by Debian, when wvm's harness builds wasmvm's Go tests offline.
//
// It implements the one function wasmvm's types/ package calls,
// UnmarshalAsArray: MessagePack decoding where a struct is encoded as an
// array of its fields in declaration order (what libwasmvm's rmp_serde
// output for get_pinned_metrics is). Written for wvm from the MessagePack
// specification; it decodes nil, booleans, integers, strings, binary data and
// arrays into structs, slices, byte slices, fixed arrays, integers and
// strings, and reports anything else as an error.
package msgpack

import (
	"encoding/binary"
	"fmt"
	"reflect"
)

// UnmarshalAsArray decodes data into v, which must be a non-nil pointer.
// Structs are read from arrays of their exported fields, in order.
func UnmarshalAsArray(data []byte, v interface{}) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("msgpack: UnmarshalAsArray needs a non-nil pointer, got %T", v)
	}
	d := decoder{data: data}
	if err := d.value(rv.Elem()); err != nil {
		return err
	}
	if d.pos != len(d.data) {
		return fmt.Errorf("msgpack: %d trailing bytes", len(d.data)-d.pos)
	}
	return nil
}

type decoder struct {
	data []byte
	pos  int
}

func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || len(d.data)-d.pos < n {
		return nil, fmt.Errorf("msgpack: unexpected end of data at byte %d", d.pos)
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

func (d *decoder) uintN(n int) (uint64, error) {
	b, err := d.take(n)
	if err != nil {
		return 0, err
	}
	switch n {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(b)), nil
	default:
		return binary.BigEndian.Uint64(b), nil
	}
}

// item is one decoded header: its kind and, for scalars, its value; for
// containers and byte strings, the element or byte count.
type item struct {
	kind  byte // 'n' nil, 'b' bool, 'u' unsigned, 'i' signed, 's' str, 'x' bin, 'a' array, 'm' map
	u     uint64
	i     int64
	count int
}

func (d *decoder) header() (item, error) {
	b, err := d.take(1)
	if err != nil {
		return item{}, err
	}
	c := b[0]
	switch {
	case c <= 0x7f:
		return item{kind: 'u', u: uint64(c)}, nil
	case c >= 0xe0:
		return item{kind: 'i', i: int64(int8(c))}, nil
	case c&0xf0 == 0x80:
		return item{kind: 'm', count: int(c & 0x0f)}, nil
	case c&0xf0 == 0x90:
		return item{kind: 'a', count: int(c & 0x0f)}, nil
	case c&0xe0 == 0xa0:
		return item{kind: 's', count: int(c & 0x1f)}, nil
	}
	sized := func(kind byte, n int) (item, error) {
		v, err := d.uintN(n)
		if err != nil {
			return item{}, err
		}
		if v > uint64(len(d.data)) {
			return item{}, fmt.Errorf("msgpack: length %d exceeds the data", v)
		}
		return item{kind: kind, count: int(v)}, nil
	}
	switch c {
	case 0xc0:
		return item{kind: 'n'}, nil
	case 0xc2, 0xc3:
		return item{kind: 'b', u: uint64(c - 0xc2)}, nil
	case 0xc4, 0xc5, 0xc6:
		return sized('x', 1<<(c-0xc4))
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, err := d.uintN(1 << (c - 0xcc))
		return item{kind: 'u', u: v}, err
	case 0xd0, 0xd1, 0xd2, 0xd3:
		n := 1 << (c - 0xd0)
		v, err := d.uintN(n)
		shift := 64 - 8*n
		return item{kind: 'i', i: int64(v<<shift) >> shift}, err
	case 0xd9, 0xda, 0xdb:
		return sized('s', 1<<(c-0xd9))
	case 0xdc, 0xdd:
		return sized('a', 2<<(c-0xdc))
	case 0xde, 0xdf:
		return sized('m', 2<<(c-0xde))
	}
	return item{}, fmt.Errorf("msgpack: unsupported type byte 0x%02x at byte %d", c, d.pos-1)
}

func (d *decoder) value(v reflect.Value) error {
	start := d.pos
	h, err := d.header()
	if err != nil {
		return err
	}
	if h.kind == 'n' {
		v.Set(reflect.Zero(v.Type()))
		return nil
	}
	switch v.Kind() {
	case reflect.Bool:
		if h.kind != 'b' {
			return mismatch(h, v)
		}
		v.SetBool(h.u == 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if h.kind == 'i' && h.i >= 0 {
			h = item{kind: 'u', u: uint64(h.i)}
		}
		if h.kind != 'u' || v.OverflowUint(h.u) {
			return mismatch(h, v)
		}
		v.SetUint(h.u)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if h.kind == 'u' && h.u <= 1<<63-1 {
			h = item{kind: 'i', i: int64(h.u)}
		}
		if h.kind != 'i' || v.OverflowInt(h.i) {
			return mismatch(h, v)
		}
		v.SetInt(h.i)
	case reflect.String:
		if h.kind != 's' && h.kind != 'x' {
			return mismatch(h, v)
		}
		b, err := d.take(h.count)
		if err != nil {
			return err
		}
		v.SetString(string(b))
	case reflect.Slice:
		if h.kind == 'x' || h.kind == 's' {
			if v.Type().Elem().Kind() != reflect.Uint8 {
				return mismatch(h, v)
			}
			b, err := d.take(h.count)
			if err != nil {
				return err
			}
			v.SetBytes(append([]byte{}, b...))
			return nil
		}
		if h.kind != 'a' {
			return mismatch(h, v)
		}
		s := reflect.MakeSlice(v.Type(), h.count, h.count)
		for i := 0; i < h.count; i++ {
			if err := d.value(s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Array:
		if h.kind != 'a' || h.count != v.Len() {
			return mismatch(h, v)
		}
		for i := 0; i < h.count; i++ {
			if err := d.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if h.kind != 'a' {
			return mismatch(h, v)
		}
		fields := exportedFields(v)
		if h.count != len(fields) {
			return fmt.Errorf("msgpack: %s has %d fields, data has %d", v.Type(), len(fields), h.count)
		}
		for _, f := range fields {
			if err := d.value(f); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		d.pos = start // re-read the header into the pointee
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.value(v.Elem())
	default:
		return mismatch(h, v)
	}
	return nil
}

func exportedFields(v reflect.Value) []reflect.Value {
	var out []reflect.Value
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).IsExported() {
			out = append(out, v.Field(i))
		}
	}
	return out
}

func mismatch(h item, v reflect.Value) error {
	return fmt.Errorf("msgpack: cannot decode a value of kind %q into %s", h.kind, v.Type())
}
