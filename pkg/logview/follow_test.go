package logview

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
)

// lockedBuffer is written by Tail's goroutine and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.b.String()), "\n")
}

func TestFollowShowsEachNewEventOnceAndWaitsForTheGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc := logs.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	client := cloudwatchlogs.NewFromConfig(cfg)
	group := GroupFor("late")
	at := time.Now().Add(-time.Minute)

	// The test is the poll timer: a send is taken when Tail waits, so a
	// second send returns only once the poll between them has finished.
	ticks := make(chan time.Time)
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- Tail(ctx, client, Options{Group: group, Since: at, Follow: true, Out: out, JSON: true,
			tick: func(time.Duration) <-chan time.Time { return ticks }})
	}()
	poll := func() { ticks <- time.Time{}; ticks <- time.Time{} }

	poll() // the group does not exist yet: Tail waits for it
	_, err := svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: group})
	require.NoError(t, err)
	ms := at.UnixMilli()
	require.NoError(t, svc.Append(ctx, group, "s1", []logs.Event{{Timestamp: ms, Message: "one"}, {Timestamp: ms + 5, Message: "two"}}))
	poll()
	assert.Equal(t, []string{"one", "two"}, out.lines())

	// A late event a little older than the newest one seen still shows;
	// nothing shows twice.
	require.NoError(t, svc.Append(ctx, group, "s2", []logs.Event{{Timestamp: ms + 3, Message: "late"}, {Timestamp: ms + 5, Message: "same ms"}}))
	poll()
	poll()
	assert.Equal(t, []string{"one", "two", "late", "same ms"}, out.lines())

	cancel()
	require.NoError(t, <-done, "a follow ends quietly with its context")
}
