package msgpack

import (
	"bytes"
	"testing"
)

type metrics struct {
	Hits uint32
	Size uint64
}

type entry struct {
	Checksum []byte
	Metrics  metrics
}

type pinned struct {
	PerModule []entry
}

// The bytes rmp_serde writes for one pinned module: a struct as an array,
// a [u8; 32] as an array of integers.
func TestPinnedMetricsShape(t *testing.T) {
	var in []byte
	in = append(in, 0x91, 0x91, 0x92, 0xdc, 0x00, 0x20)
	for i := 0; i < 32; i++ {
		in = append(in, 0xcc, byte(200+i%50)) // uint8 form
	}
	in = append(in, 0x92, 0x05, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0)
	var p pinned
	if err := UnmarshalAsArray(in, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.PerModule) != 1 || p.PerModule[0].Metrics.Hits != 5 || p.PerModule[0].Metrics.Size != 1<<32 {
		t.Fatalf("decoded %+v", p)
	}
	if p.PerModule[0].Checksum[0] != 200 || len(p.PerModule[0].Checksum) != 32 {
		t.Fatalf("checksum %v", p.PerModule[0].Checksum)
	}
}

func TestBinAndErrors(t *testing.T) {
	var b []byte
	if err := UnmarshalAsArray([]byte{0xc4, 3, 1, 2, 3}, &b); err != nil || !bytes.Equal(b, []byte{1, 2, 3}) {
		t.Fatalf("bin: %v %v", b, err)
	}
	var p pinned
	for _, bad := range [][]byte{{}, {0x91}, {0x91, 0x91, 0x93}, {0xc1}, {0xc4, 0xff}, {0x90, 0x00}} {
		if err := UnmarshalAsArray(bad, &p); err == nil {
			t.Fatalf("% x decoded without error", bad)
		}
	}
	var small uint8
	if err := UnmarshalAsArray([]byte{0xcd, 1, 0}, &small); err == nil {
		t.Fatal("overflow not reported")
	}
}
