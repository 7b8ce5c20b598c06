package middleware

import (
	"context"
	"math"
	"sync"
	"time"
)

// DefaultMaxKeys is how many keys RateLimit's default MemoryStore keeps.
const DefaultMaxKeys = 100_000

const (
	memShards  = 32
	sweepEvery = time.Minute
)

// MemoryStore is the in-process Store: token buckets in sharded maps. Its
// memory is bounded: buckets that have refilled (their key has been idle
// long enough) are dropped, at most once a minute per shard and whenever
// a shard is full; a key arriving when its shard is full of active keys
// replaces an arbitrary one, which starts over with a full bucket. It is
// safe for concurrent use.
type MemoryStore struct {
	shards   [memShards]memShard
	perShard int
}

type memShard struct {
	mu        sync.Mutex
	buckets   map[string]bucket
	lastSweep int64 // unix nanoseconds
}

// bucket is a key's tokens at its last request.
type bucket struct {
	tokens float64
	last   int64 // unix nanoseconds
}

// NewMemoryStore returns a store keeping about maxKeys keys at most
// (DefaultMaxKeys when maxKeys is not positive).
func NewMemoryStore(maxKeys int) *MemoryStore {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	m := &MemoryStore{perShard: max(maxKeys/memShards, 1)}
	for i := range m.shards {
		m.shards[i].buckets = make(map[string]bucket)
	}
	return m
}

// Take implements Store.
func (m *MemoryStore) Take(_ context.Context, key string, l Limit, now time.Time) (Result, error) {
	rate := float64(l.Requests) / float64(l.Per) // tokens per nanosecond
	burst := float64(l.Burst)
	t := now.UnixNano()
	s := &m.shards[fnv32(key)%memShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if t-s.lastSweep > int64(sweepEvery) {
		s.sweep(t, rate, burst)
	}
	b, ok := s.buckets[key]
	if ok {
		if elapsed := t - b.last; elapsed > 0 { // a clock that went back adds nothing
			b.tokens = math.Min(burst, b.tokens+float64(elapsed)*rate)
		}
	} else {
		if len(s.buckets) >= m.perShard {
			s.makeRoom(t, rate, burst, m.perShard)
		}
		b.tokens = burst
	}
	b.last = t
	var res Result
	if b.tokens >= 1 {
		b.tokens--
		res.Allowed = true
	} else {
		res.RetryAfter = time.Duration(math.Ceil((1 - b.tokens) / rate))
	}
	res.Remaining = int(b.tokens)
	res.Reset = time.Duration(math.Ceil((burst - b.tokens) / rate))
	s.buckets[key] = b
	return res, nil
}

// Len returns the number of keys held.
func (m *MemoryStore) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

// sweep drops the buckets that are full again: a new one would be the same.
func (s *memShard) sweep(t int64, rate, burst float64) {
	s.lastSweep = t
	for k, b := range s.buckets {
		if b.tokens+float64(t-b.last)*rate >= burst {
			delete(s.buckets, k)
		}
	}
}

// makeRoom frees a place in a full shard: idle buckets first (at most one
// sweep a second), else an arbitrary one.
func (s *memShard) makeRoom(t int64, rate, burst float64, limit int) {
	if t-s.lastSweep > int64(time.Second) {
		s.sweep(t, rate, burst)
	}
	for k := range s.buckets {
		if len(s.buckets) < limit {
			return
		}
		delete(s.buckets, k)
	}
}

// fnv32 is FNV-1a, to pick a shard.
func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
