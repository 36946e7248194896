package localcloud

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Store is the local cloud's one durable store: a single bbolt file
// (default build/local/state.db). Every service keeps its state in tables
// of JSON records here, written in transactions that are on disk before
// they return: a stop, a restart or a kill at any moment keeps everything
// accepted and never leaves a half-written record.
//
// bbolt rather than SQLite (modernc.org/sqlite also resolves here): the
// services need keyed records and prefix scans, not SQL; bbolt is pure Go,
// small, and its copy-on-write pages with one fsync per commit are
// crash-safe by design, where the SQLite port is a large transpiled
// dependency that slows every build.
type Store struct {
	db *bolt.DB
}

// ErrStoreLocked is returned when another process holds the store.
var ErrStoreLocked = errors.New("localcloud: the store is in use by another local cloud")

// OpenStore opens (creating it and its folder) the store at path.
func OpenStore(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("localcloud: store folder: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w (%s)", ErrStoreLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("localcloud: open store %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// tablePrefix keeps the services' tables apart from any other buckets
// the file may hold (S3's objects, later; a bucket name cannot hold a
// colon).
const tablePrefix = "lc:"

// Tx is one transaction over the store's tables.
type Tx struct{ tx *bolt.Tx }

// Update runs fn in one read-write transaction: all its writes land, or
// none do.
func (s *Store) Update(fn func(*Tx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&Tx{tx}) })
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(*Tx) error) error {
	return s.db.View(func(tx *bolt.Tx) error { return fn(&Tx{tx}) })
}

// Put stores v as JSON under key in table; a []byte (an object's body,
// a function's zip) is stored as it is, not as base64 inside JSON, which
// for megabytes costs more than the disk write.
func (t *Tx) Put(table, key string, v any) error {
	b, ok := v.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return fmt.Errorf("localcloud: store %s/%s: %w", table, key, err)
		}
	}
	bk, err := t.tx.CreateBucketIfNotExists([]byte(tablePrefix + table))
	if err != nil {
		return err
	}
	return bk.Put([]byte(key), b)
}

// Get reads the record under key into v; found is false when there is
// none. Into a *[]byte it copies the bytes a []byte Put stored.
func (t *Tx) Get(table, key string, v any) (found bool, err error) {
	bk := t.tx.Bucket([]byte(tablePrefix + table))
	if bk == nil {
		return false, nil
	}
	b := bk.Get([]byte(key))
	if b == nil {
		return false, nil
	}
	if p, ok := v.(*[]byte); ok {
		*p = append([]byte(nil), b...)
		return true, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("localcloud: record %s/%s: %w", table, key, err)
	}
	return true, nil
}

// Delete removes the record under key, if any.
func (t *Tx) Delete(table, key string) error {
	bk := t.tx.Bucket([]byte(tablePrefix + table))
	if bk == nil {
		return nil
	}
	return bk.Delete([]byte(key))
}

// Scan calls fn for every record of table whose key starts with prefix,
// in key order; the bytes are valid only during the call.
func (t *Tx) Scan(table, prefix string, fn func(key string, raw []byte) error) error {
	bk := t.tx.Bucket([]byte(tablePrefix + table))
	if bk == nil {
		return nil
	}
	c := bk.Cursor()
	for k, v := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			return err
		}
	}
	return nil
}

// Check verifies the store file's consistency (every page reachable once,
// no corruption), as bbolt's own check does.
func (s *Store) Check() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}
