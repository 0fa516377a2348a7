package tiles

import (
	"encoding/binary"
	"hash/crc32"
	"math/bits"
	"slices"
)

// A tile's first answer is gzipped quickly: its deflate data is one block
// of Huffman codes made for the tile's bytes, without the search for
// repeated strings (LZ77). That takes a fraction of what a compressor
// with the search takes, most of which, at a tile's size, goes into
// building three Huffman codes per block; the answer keeps about four
// fifths of the tile's bytes where the search keeps two fifths. A tile
// asked for again is compressed properly in the cache (Cache.Put), so
// the bytes sent twice are the small ones; a large tile is compressed
// properly at once (Compress).

// quickMax is the largest tile (bytes of MVT or GeoJSON) whose first
// answer is gzipped quickly. A larger one is compressed properly at once:
// quickly, its first answer would cost a client a hundred kilobytes more
// (a z12 tile of the synthetic city: 174 KB instead of 75) to save about
// half a millisecond.
const quickMax = 64 << 10

// Compress gzips a tile for its first answer: quickly (QuickGzip) when it
// has at most quickMax bytes, properly (Gzip) when it is larger; quick
// says which, for Cache.Put.
func Compress(b []byte) (gz []byte, quick bool) {
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	return sc.compress(b)
}

// compress is Compress in sc's working memory; the answer is its own.
func (sc *scratch) compress(b []byte) (gz []byte, quick bool) {
	if len(b) > quickMax {
		return sc.gzip(b), false
	}
	return slices.Clone(sc.quickGzip(b)), true
}

// QuickGzip is b gzipped quickly (see above); any gzip reader reads it.
func QuickGzip(b []byte) []byte {
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	return slices.Clone(sc.quickGzip(b))
}

const (
	endOfBlock = 256 // the literal/length symbol that ends a block
	maxCodeLen = 15  // deflate's longest Huffman code
)

// codeLengthOrder is the order in which a dynamic block's header gives
// the lengths of the code length code (RFC 1951, 3.2.7).
var codeLengthOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// quickGzip writes the gzip member into sc's buffer; the answer is sc's
// until sc makes another tile.
func (sc *scratch) quickGzip(b []byte) []byte {
	freq := histogram(b)
	freq[endOfBlock] = 1
	if len(b) == 0 {
		freq[0] = 1 // a code needs two symbols to be complete
	}
	var lengths [endOfBlock + 1]uint8
	huffmanLengths(freq[:], lengths[:])
	var codes [endOfBlock + 1]uint16
	canonicalCodes(lengths[:], codes[:])

	// Room for the most the block can take: the header, 15 bits a byte.
	out := slices.Grow(sc.gzOut[:0], 10+200+len(b)*15/8+16)
	// The gzip header: deflate, no flags, no time, unknown OS.
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff)
	w := bitWriter{out: out}
	// One final dynamic block: 257 literal/length codes (bytes and the
	// end of block), two distance codes (never used, but a complete code
	// reads everywhere), 19 lengths of the code length code: 4 bits for
	// the lengths 0 to 15, none for the repeat codes 16 to 18, so every
	// length is written as its own 4-bit code.
	w.write(1, 1)  // BFINAL
	w.write(2, 2)  // BTYPE: dynamic Huffman codes
	w.write(0, 5)  // HLIT: 257 - 257
	w.write(1, 5)  // HDIST: 2 - 1
	w.write(15, 4) // HCLEN: 19 - 4
	for _, sym := range codeLengthOrder {
		if sym < 16 {
			w.write(4, 3)
		} else {
			w.write(0, 3)
		}
	}
	// The canonical code of 16 symbols of 4 bits is each symbol itself.
	for _, l := range lengths {
		w.write(uint64(reverse(uint16(l), 4)), 4)
	}
	w.write(uint64(reverse(1, 4)), 4) // distance code 0: 1 bit
	w.write(uint64(reverse(1, 4)), 4) // distance code 1: 1 bit
	// The bytes, two codes at a time (30 bits at most) between stores.
	var tab [256]uint32 // code | length<<16
	for c := range tab {
		tab[c] = uint32(codes[c]) | uint32(lengths[c])<<16
	}
	acc, nacc := w.acc, w.nacc
	out = w.out
	i := 0
	for ; i+1 < len(b); i += 2 {
		c0, c1 := tab[b[i]], tab[b[i+1]]
		acc |= uint64(c0&0xffff) << (nacc & 63) // nacc < 62: the mask only spares a check
		nacc += uint(c0 >> 16)
		acc |= uint64(c1&0xffff) << (nacc & 63)
		nacc += uint(c1 >> 16)
		if nacc >= 32 {
			out = binary.LittleEndian.AppendUint32(out, uint32(acc))
			acc >>= 32
			nacc -= 32
		}
	}
	w.out, w.acc, w.nacc = out, acc, nacc
	if i < len(b) {
		w.write(uint64(codes[b[i]]), uint(lengths[b[i]]))
	}
	w.write(uint64(codes[endOfBlock]), uint(lengths[endOfBlock]))
	out = w.flush()
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(b))
	out = binary.LittleEndian.AppendUint32(out, uint32(len(b)))
	sc.gzOut = out
	return out
}

// histogram counts the bytes in four tables, so that runs of one byte do
// not wait on their own counts.
func histogram(b []byte) [endOfBlock + 1]uint32 {
	var h [4][256]uint32
	i := 0
	for ; i+3 < len(b); i += 4 {
		h[0][b[i]]++
		h[1][b[i+1]]++
		h[2][b[i+2]]++
		h[3][b[i+3]]++
	}
	for ; i < len(b); i++ {
		h[0][b[i]]++
	}
	var freq [endOfBlock + 1]uint32
	for c := range 256 {
		freq[c] = h[0][c] + h[1][c] + h[2][c] + h[3][c]
	}
	return freq
}

// bitWriter writes deflate's bit stream: values from the least
// significant bit up, Huffman codes given bit-reversed.
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) write(v uint64, n uint) {
	w.acc |= v << w.nacc
	w.nacc += n
	if w.nacc >= 48 {
		w.out = append(w.out, byte(w.acc), byte(w.acc>>8), byte(w.acc>>16), byte(w.acc>>24), byte(w.acc>>32), byte(w.acc>>40))
		w.acc >>= 48
		w.nacc -= 48
	}
}

// flush writes the bits left, padded to a whole byte.
func (w *bitWriter) flush() []byte {
	for ; w.nacc > 0; w.nacc -= min(w.nacc, 8) {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
	}
	return w.out
}

func reverse(code uint16, n uint8) uint16 { return bits.Reverse16(code) >> (16 - n) }

// huffmanLengths sets the length of each symbol's Huffman code for the
// frequencies, at most maxCodeLen bits, 0 for a symbol that does not
// occur; at least two symbols must occur. When the tree would be too deep
// the frequencies are flattened (halved, keeping every used symbol at 1
// or more) until it is not: the code stays complete, as deflate's readers
// ask, and a little less tight.
func huffmanLengths(freq []uint32, lengths []uint8) {
	f := slices.Clone(freq)
	for {
		if huffmanTree(f, lengths) <= maxCodeLen {
			return
		}
		for i, v := range f {
			if v > 0 {
				f[i] = v/2 + 1
			}
		}
	}
}

// huffmanTree sets the code lengths of an optimal (unbounded) Huffman code
// and answers the longest. Two queues: the leaves sorted by frequency, and
// the inner nodes, which are made in order of frequency.
func huffmanTree(freq []uint32, lengths []uint8) int {
	type node struct {
		freq   uint64
		parent int32
	}
	// The symbols by frequency, ties by symbol (the same code every
	// time), sorted as frequency<<16 | symbol.
	keys := make([]uint64, 0, len(freq))
	for s, v := range freq {
		lengths[s] = 0
		if v > 0 {
			keys = append(keys, uint64(v)<<16|uint64(s))
		}
	}
	slices.Sort(keys)
	n := len(keys)
	nodes := make([]node, 2*n-1) // leaves 0..n-1 in sorted order, then inner nodes
	for i, k := range keys {
		nodes[i].freq = k >> 16
	}
	nextLeaf, nextInner := 0, n
	smallest := func(made int) int {
		if nextLeaf < n && (nextInner >= made || nodes[nextLeaf].freq <= nodes[nextInner].freq) {
			nextLeaf++
			return nextLeaf - 1
		}
		nextInner++
		return nextInner - 1
	}
	for made := n; made < 2*n-1; made++ {
		a := smallest(made)
		b := smallest(made)
		nodes[made].freq = nodes[a].freq + nodes[b].freq
		nodes[a].parent, nodes[b].parent = int32(made), int32(made)
	}
	// Depths from the root (the last node made) down: a parent is made
	// after its children, so walking back gives parents first.
	depth := make([]uint8, 2*n-1)
	longest := 0
	for i := 2*n - 3; i >= 0; i-- {
		depth[i] = depth[nodes[i].parent] + 1
		if i < n {
			lengths[keys[i]&0xffff] = depth[i]
			longest = max(longest, int(depth[i]))
		}
	}
	return longest
}

// canonicalCodes gives each symbol its canonical code (RFC 1951, 3.2.2),
// bit-reversed for the bit stream.
func canonicalCodes(lengths []uint8, codes []uint16) {
	var count [maxCodeLen + 1]uint16
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	var next [maxCodeLen + 1]uint16
	code := uint16(0)
	for l := 1; l <= maxCodeLen; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	for s, l := range lengths {
		if l > 0 {
			codes[s] = reverse(next[l], l)
			next[l]++
		}
	}
}
