package tiles

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"math/rand/v2"
	"testing"

	kpgzip "github.com/klauspost/compress/gzip"
)

// TestQuickGzip: the standard library's reader and klauspost's read back
// every input exactly (Node's zlib reads tiles in api's tests); skewed
// bytes come out smaller, random ones barely larger.
func TestQuickGzip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	random, skewed := make([]byte, 100_000), make([]byte, 100_000)
	for i := range random {
		random[i] = byte(r.IntN(256))
		skewed[i] = byte(r.ExpFloat64() * 4) // a few common bytes, a long tail
	}
	for name, b := range map[string][]byte{
		"empty": {}, "one byte": {42}, "one value": bytes.Repeat([]byte{7}, 5000),
		"every byte": every, "random": random, "skewed": skewed,
	} {
		z := QuickGzip(b)
		std, err := stdgzip.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := io.ReadAll(std)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%s: the standard library read %d bytes of %d back (%v)", name, len(got), len(b), err)
		}
		kp, err := kpgzip.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, err := io.ReadAll(kp); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%s: klauspost read %d bytes of %d back (%v)", name, len(got), len(b), err)
		}
		switch name {
		case "skewed":
			if len(z) > len(b)/2 {
				t.Errorf("skewed: %d bytes for %d", len(z), len(b))
			}
		case "random":
			if len(z) > len(b)+len(b)/100+200 {
				t.Errorf("random: %d bytes for %d", len(z), len(b))
			}
		}
	}
}

// TestCompress: a small tile is gzipped quickly, a large one properly.
func TestCompress(t *testing.T) {
	small := bytes.Repeat([]byte("Block 1234 "), 100)
	large := bytes.Repeat([]byte("Block 1234 "), 10_000)
	gzSmall, quickSmall := Compress(small)
	gzLarge, quickLarge := Compress(large)
	if !quickSmall || !bytes.Equal(gzSmall, QuickGzip(small)) {
		t.Errorf("a tile of %d bytes was not gzipped quickly", len(small))
	}
	if quickLarge || !bytes.Equal(gzLarge, Gzip(large)) || len(gzLarge) > len(large)/20 {
		t.Errorf("a tile of %d bytes was not compressed properly: %d bytes, quick %v", len(large), len(gzLarge), quickLarge)
	}
}

// TestHuffmanLengths: an optimal code where it fits in 15 bits; where the
// frequencies would make it deeper (Fibonacci numbers make the deepest
// tree) the longest code is 15 bits and the code stays complete, as
// deflate's readers ask.
func TestHuffmanLengths(t *testing.T) {
	lengths := make([]uint8, 4)
	huffmanLengths([]uint32{1, 1, 2, 4}, lengths)
	if !bytes.Equal(lengths, []uint8{3, 3, 2, 1}) {
		t.Errorf("lengths %v, want [3 3 2 1]", lengths)
	}
	huffmanLengths([]uint32{0, 5, 0, 5}, lengths)
	if !bytes.Equal(lengths, []uint8{0, 1, 0, 1}) {
		t.Errorf("lengths %v, want [0 1 0 1]", lengths)
	}
	fib := make([]uint32, 30)
	fib[0], fib[1] = 1, 1
	for i := 2; i < len(fib); i++ {
		fib[i] = fib[i-1] + fib[i-2]
	}
	lengths = make([]uint8, len(fib))
	if deepest := huffmanTree(fib, lengths); deepest != 29 {
		t.Fatalf("unbounded, the deepest code has %d bits, want 29", deepest)
	}
	huffmanLengths(fib, lengths)
	kraft := 0.0
	for s, l := range lengths {
		if l == 0 || l > maxCodeLen {
			t.Fatalf("symbol %d: %d bits", s, l)
		}
		kraft += 1 / float64(uint64(1)<<l)
	}
	if kraft != 1 {
		t.Errorf("Kraft sum %v: the code is not complete", kraft)
	}
}

// TestCacheQuick: a tile kept gzipped quickly is compressed properly when
// asked for again, with a new ETag, and kept so.
func TestCacheQuick(t *testing.T) {
	c := NewCache(1 << 20)
	plain := bytes.Repeat([]byte("Block 123, Block 124, Block 125; "), 300)
	quick := QuickGzip(plain)
	tag := c.Put("k", quick, true)
	body, tag2, found := c.Lookup("k")
	if !found || tag2 == tag || len(body) >= len(quick)/2 {
		t.Fatalf("second answer: found %v, %d bytes (first %d), tag %s (first %s)", found, len(body), len(quick), tag2, tag)
	}
	if got, err := Gunzip(body); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("second answer does not unzip to the tile: %v", err)
	}
	if body3, tag3, _ := c.Lookup("k"); tag3 != tag2 || !bytes.Equal(body3, body) {
		t.Error("the third answer differs from the second")
	}
	// An empty tile stays empty; a body that is no gzip stays as it is.
	c.Put("empty", nil, true)
	if b, _, found := c.Lookup("empty"); !found || b != nil {
		t.Error("empty tile lost")
	}
	c.Put("odd", []byte("not gzip"), true)
	if b, _, _ := c.Lookup("odd"); string(b) != "not gzip" {
		t.Errorf("odd body became %q", b)
	}
}
