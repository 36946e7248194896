package localcloud_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

type record struct {
	N       int
	Payload string
}

func TestStoreKeepsRecordsAcrossARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "local", "state.db")
	s, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	require.NoError(t, s.Update(func(tx *localcloud.Tx) error {
		for i := range 3 {
			if err := tx.Put("stacks", fmt.Sprintf("pizza/%d", i), record{N: i}); err != nil {
				return err
			}
		}
		return tx.Put("stacks", "upload/0", record{N: 9})
	}))
	_, err = localcloud.OpenStore(path)
	assert.ErrorIs(t, err, localcloud.ErrStoreLocked, "one local cloud per store")
	require.NoError(t, s.Close())

	s, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer s.Close()
	var got []int
	require.NoError(t, s.View(func(tx *localcloud.Tx) error {
		var r record
		found, err := tx.Get("stacks", "upload/0", &r)
		require.True(t, found)
		assert.Equal(t, 9, r.N)
		if found, _ := tx.Get("stacks", "nope", &r); found {
			t.Error("a missing key is not found")
		}
		return errorsJoin(err, tx.Scan("stacks", "pizza/", func(k string, raw []byte) error {
			got = append(got, len(k))
			return nil
		}))
	}))
	assert.Len(t, got, 3, "a prefix scan sees only its prefix")

	require.NoError(t, s.Update(func(tx *localcloud.Tx) error { return tx.Delete("stacks", "upload/0") }))
	require.NoError(t, s.View(func(tx *localcloud.Tx) error {
		var r record
		found, err := tx.Get("stacks", "upload/0", &r)
		assert.False(t, found)
		return err
	}))
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// TestStoreSurvivesAKill writes records in another process, kills it with
// SIGKILL mid-write, and finds the store consistent with every committed
// record whole.
func TestStoreSurvivesAKill(t *testing.T) {
	if os.Getenv("LOCALCLOUD_STORE_WRITER") != "" {
		storeWriter(os.Getenv("LOCALCLOUD_STORE_WRITER"))
		return
	}
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreSurvivesAKill$")
	cmd.Env = append(os.Environ(), "LOCALCLOUD_STORE_WRITER="+path)
	require.NoError(t, cmd.Start())
	// Let it commit for a while, then kill it wherever it is.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 256<<10 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()

	s, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Check(), "no corruption after a kill")
	n := 0
	require.NoError(t, s.View(func(tx *localcloud.Tx) error {
		return tx.Scan("records", "", func(k string, raw []byte) error {
			var r record
			var err error
			found, err := tx.Get("records", k, &r)
			if err != nil || !found {
				return fmt.Errorf("record %s: found %v, %v", k, found, err)
			}
			if strconv.Itoa(r.N) != k[len("r"):] || len(r.Payload) != 1024 {
				return fmt.Errorf("record %s is not whole: %+v", k, r.N)
			}
			n++
			return nil
		})
	}))
	assert.Positive(t, n, "committed records are kept")
}

func storeWriter(path string) {
	s, err := localcloud.OpenStore(path)
	if err != nil {
		os.Exit(2)
	}
	payload := string(make([]byte, 1024))
	for i := 0; ; i++ {
		_ = s.Update(func(tx *localcloud.Tx) error {
			return tx.Put("records", "r"+strconv.Itoa(i), record{N: i, Payload: payload})
		})
	}
}
