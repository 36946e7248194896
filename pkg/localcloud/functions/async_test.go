package functions_test

import (
	"bytes"
	"encoding/json"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/functions"
)

// runs reads the run times the test function appended to its count file.
func runs(t testing.TB, path string) []time.Time {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []time.Time
	for _, l := range strings.Fields(string(b)) {
		n, err := strconv.ParseInt(l, 10, 64)
		require.NoError(t, err)
		out = append(out, time.Unix(0, n))
	}
	return out
}

// lockedBuffer is a log destination safe for the worker's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const scale = 0.001 // 1 and 2 minutes become 60 and 120 ms

func TestEventIsRetriedTwiceWithLambdasDelaysThenDropped(t *testing.T) {
	var logged lockedBuffer
	c := startCloud(t, "", functions.WithTimeScale(scale), functions.WithLogger(log.New(&logged, "", 0)))
	c.create(t, "fn", zipOf(t, fnBinary, nil))
	count := filepath.Join(t.TempDir(), "count")
	payload, _ := json.Marshal(map[string]any{"count": count, "failUntil": 100})
	out, err := c.invoke(t, "fn", string(payload), func(in *lambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	require.NoError(t, err)
	assert.Equal(t, int32(202), out.StatusCode)
	assert.Empty(t, out.Payload)

	require.Eventually(t, func() bool {
		n, err := c.svc.QueuedEvents()
		return err == nil && n == 0 && len(runs(t, count)) == 3
	}, 20*time.Second, 5*time.Millisecond)
	at := runs(t, count)
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), time.Duration(float64(time.Minute)*scale), "the first retry waits a (scaled) minute")
	assert.GreaterOrEqual(t, at[2].Sub(at[1]), time.Duration(float64(2*time.Minute)*scale), "the second two")
	assert.Contains(t, logged.String(), "after 3 attempts")
	assert.Len(t, runs(t, count), 3, "two retries, no more")
}

func TestQueuedEventSurvivesARestartAndRunsOnceMore(t *testing.T) {
	storePath := filepath.Join(t.TempDir(), "state.db")
	count := filepath.Join(t.TempDir(), "count")
	// Slow retries: the restart happens while the retry waits.
	c := startCloud(t, storePath, functions.WithTimeScale(0.01))
	c.create(t, "fn", zipOf(t, fnBinary, nil))
	payload, _ := json.Marshal(map[string]any{"count": count, "failUntil": 1})
	_, err := c.invoke(t, "fn", string(payload), func(in *lambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(runs(t, count)) == 1 }, 10*time.Second, 2*time.Millisecond)
	require.NoError(t, c.svc.Close())
	require.NoError(t, c.store.Close())
	n := len(runs(t, count))
	require.Equal(t, 1, n, "closed before the retry")

	c = startCloud(t, storePath, functions.WithTimeScale(0.01))
	require.Eventually(t, func() bool {
		n, err := c.svc.QueuedEvents()
		return err == nil && n == 0
	}, 10*time.Second, 2*time.Millisecond)
	assert.Len(t, runs(t, count), 2, "the queued event ran exactly once more, and succeeded")
}
