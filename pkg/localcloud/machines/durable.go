package machines

import (
	"encoding/json"
	"sync"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// committer writes records to the store in group commits: a write waits
// until it is on disk, but the writes of every execution that arrive
// while a commit is under way share the next one, so that concurrent
// executions do not each pay an fsync per history event.
type committer struct {
	store   *localcloud.Store
	mu      sync.Mutex
	pending []pendingWrite
	running bool
}

type pendingWrite struct {
	table, key string
	value      []byte
	done       chan error
}

// put stores v under key in table and returns once it is on disk.
func (c *committer) put(table, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	c.mu.Lock()
	c.pending = append(c.pending, pendingWrite{table, key, b, done})
	if !c.running {
		c.running = true
		go c.flush()
	}
	c.mu.Unlock()
	return <-done
}

// flush commits what is pending until nothing is.
func (c *committer) flush() {
	for {
		c.mu.Lock()
		batch := c.pending
		c.pending = nil
		if len(batch) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		err := c.store.Update(func(tx *localcloud.Tx) error {
			for _, w := range batch {
				if err := tx.Put(w.table, w.key, w.value); err != nil {
					return err
				}
			}
			return nil
		})
		for _, w := range batch {
			w.done <- err
		}
	}
}
