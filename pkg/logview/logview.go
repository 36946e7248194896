// Package logview reads CloudWatch Logs for a developer: the recent events
// of a log group, then (when following) the new ones as they arrive, with
// the JSON lines of slog handlers shown as readable lines. It talks to any
// CloudWatch Logs endpoint through the SDK: the local cloud or AWS.
package logview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// Options says what Tail shows and how. The zero value shows the last ten
// minutes of no group: Group is required.
type Options struct {
	// Group is the log group's name (GroupFor, ResolveGroup).
	Group string
	// Since is the oldest event shown; zero means ten minutes ago.
	Since time.Time
	// Follow keeps polling for new events until the context ends.
	Follow bool
	// PollInterval is how often Follow polls; zero means one second.
	PollInterval time.Duration
	// Filter is a CloudWatch Logs filter pattern; empty shows every event.
	Filter string
	// JSON prints each JSON message indented instead of as a readable line.
	JSON bool
	// Color dims Lambda's START, END and REPORT lines and colours levels
	// with ANSI escapes.
	Color bool
	// Location is the time zone times are shown in; nil means local time.
	Location *time.Location
	// Out is where events are written; nil means standard output.
	Out io.Writer

	// tick replaces the poll timer in tests: it returns the channel the
	// next poll waits for.
	tick func(time.Duration) <-chan time.Time
}

// Tail writes the events of o.Group since o.Since that match o.Filter, in
// time order across streams; with o.Follow it goes on writing new events,
// each once, until ctx ends (then it returns nil).
func Tail(ctx context.Context, client *cloudwatchlogs.Client, o Options) error {
	if o.Group == "" {
		return errors.New("logview: no log group given")
	}
	if o.Since.IsZero() {
		o.Since = time.Now().Add(-10 * time.Minute)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.tick == nil {
		o.tick = time.After
	}
	f := formatter{o: o}
	since := o.Since.UnixMilli()
	start, newest := since, since
	seen := map[string]int64{} // event id -> timestamp, for the events at or after start
	for {
		n, err := poll(ctx, client, o, start, seen, &f)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && !(o.Follow && isNotFound(err)):
			// Following a group not made yet (a function never invoked)
			// waits for it; anything else is the caller's to see.
			return err
		}
		if !o.Follow {
			return nil
		}
		// Events can be stored a little after their time (another stream's
		// batch arrives late), so each poll looks back from the newest event
		// seen; the ids seen in that window are kept so none shows twice.
		newest = max(newest, n)
		start = max(since, newest-lookback.Milliseconds())
		for id, ts := range seen {
			if ts < start {
				delete(seen, id)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-o.tick(o.PollInterval):
		}
	}
}

// lookback is how far before the newest event seen a follow poll starts.
const lookback = 10 * time.Second

// poll writes the events from start on not seen yet and returns the
// newest timestamp it saw.
func poll(ctx context.Context, client *cloudwatchlogs.Client, o Options, start int64, seen map[string]int64, f *formatter) (int64, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(o.Group), StartTime: aws.Int64(start)}
	if o.Filter != "" {
		in.FilterPattern = aws.String(o.Filter)
	}
	newest := start
	pages := cloudwatchlogs.NewFilterLogEventsPaginator(client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return newest, fmt.Errorf("logview: reading log group %s: %w", o.Group, err)
		}
		for _, e := range page.Events {
			id, ts := aws.ToString(e.EventId), aws.ToInt64(e.Timestamp)
			if _, ok := seen[id]; ok {
				continue
			}
			seen[id] = ts
			newest = max(newest, ts)
			if err := f.write(aws.ToString(e.LogStreamName), ts, aws.ToString(e.Message)); err != nil {
				return newest, err
			}
		}
	}
	return newest, nil
}

func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}
