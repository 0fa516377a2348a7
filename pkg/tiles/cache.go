package tiles

import (
	"container/list"
	"strconv"
	"sync"

	"github.com/cespare/xxhash/v2"
)

// Cache keeps encoded tiles, least recently used out first, within a
// bound on their bytes. An empty tile is kept as a nil body, so that it is
// not cut again either. A tile kept as gzipped quickly (see Compress) is
// compressed properly when it is asked for again: the effort goes to the
// tiles that are sent more than once.
type Cache struct {
	mu    sync.Mutex
	max   int64
	bytes int64
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheEntry struct {
	key   string
	body  []byte
	tag   string // ETag, hashed once when kept
	quick bool   // body is gzipped quickly (QuickGzip)
}

// entryOverhead is about what an entry costs besides key and body.
const entryOverhead = 96

// NewCache makes a cache of at most max bytes.
func NewCache(max int64) *Cache {
	return &Cache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the tile kept under key.
func (c *Cache) Get(key string) (body []byte, found bool) {
	body, _, found = c.Lookup(key)
	return body, found
}

// Lookup returns the tile kept under key with its ETag. A tile kept as
// gzipped quickly is compressed properly first and kept so, with a new
// ETag (its bytes change, not what they stand for).
func (c *Cache) Lookup(key string) (body []byte, tag string, found bool) {
	c.mu.Lock()
	el, found := c.items[key]
	if !found {
		c.mu.Unlock()
		return nil, "", false
	}
	c.order.MoveToFront(el)
	e := el.Value.(*cacheEntry)
	body, tag, quick := e.body, e.tag, e.quick
	c.mu.Unlock()
	if !quick {
		return body, tag, true
	}
	better, err := recompress(body)
	if err != nil { // not a gzip stream of ours: keep it as it is
		return body, tag, true
	}
	return better, c.put(key, better, false), true
}

// ETag is a strong entity tag of a tile's bytes: their length and
// 64-bit xxHash. A tag only has to tell versions of one URL apart, which
// needs no cryptographic hash; xxHash takes a tenth of SHA-256's time, a
// few per cent of a tile made on a cold cache.
func ETag(body []byte) string {
	return `"` + strconv.FormatUint(uint64(len(body)), 16) + "-" + strconv.FormatUint(xxhash.Sum64(body), 16) + `"`
}

// Put keeps a tile, dropping the least recently used ones as the bound
// asks, and returns its ETag; quick says the tile is gzipped quickly
// (Compress), to be compressed properly when it is asked for again. A tile
// larger than the whole bound is not kept.
func (c *Cache) Put(key string, body []byte, quick bool) (tag string) {
	return c.put(key, body, quick && body != nil)
}

func (c *Cache) put(key string, body []byte, quick bool) (tag string) {
	tag = ETag(body)
	size := sizeOf(key, body)
	if size > c.max {
		return tag
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, found := c.items[key]; found {
		c.bytes -= sizeOf(key, el.Value.(*cacheEntry).body)
		e := el.Value.(*cacheEntry)
		e.body, e.tag, e.quick = body, tag, quick
		c.bytes += size
		c.order.MoveToFront(el)
	} else {
		c.items[key] = c.order.PushFront(&cacheEntry{key: key, body: body, tag: tag, quick: quick})
		c.bytes += size
	}
	for c.bytes > c.max {
		last := c.order.Back()
		e := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.items, e.key)
		c.bytes -= sizeOf(e.key, e.body)
	}
	return tag
}

// Clear drops every tile (a new data version makes them all stale).
func (c *Cache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	c.items = map[string]*list.Element{}
	c.bytes = 0
}

// Len is the number of tiles kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Bytes is the memory the kept tiles take, as the bound counts it.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

func sizeOf(key string, body []byte) int64 { return int64(len(key) + len(body) + entryOverhead) }
