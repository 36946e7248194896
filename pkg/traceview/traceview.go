// Package traceview prints X-Ray traces as trees in a terminal: what
// `mage traces` shows of the local cloud, and works the same against any
// X-Ray endpoint the client is pointed at.
package traceview

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/aws/aws-sdk-go-v2/service/xray/types"
)

// Options choose the traces Print shows; the zero value shows the latest
// five of the last ten minutes on standard output.
type Options struct {
	// Since is how far back to look (default 10 minutes).
	Since time.Duration
	// Limit is how many of the latest traces to show (default 5).
	Limit int
	// TraceID shows that one trace, whenever it happened, instead.
	TraceID string
	// Out is where the trees go (default os.Stdout).
	Out io.Writer
}

// batchSize is the most trace ids BatchGetTraces takes at once.
const batchSize = 5

// Print finds the traces (GetTraceSummaries, then BatchGetTraces) and
// prints each as a tree of its segments and subsegments, oldest trace
// first so that the newest ends up next to the prompt.
func Print(ctx context.Context, client *xray.Client, o Options) error {
	if o.Since <= 0 {
		o.Since = 10 * time.Minute
	}
	if o.Limit <= 0 {
		o.Limit = 5
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	var ids []string
	entry := map[string]string{} // trace id -> its entry point's name
	if o.TraceID != "" {
		ids = []string{o.TraceID}
	} else {
		sums, err := latest(ctx, client, o.Since, o.Limit)
		if err != nil {
			return err
		}
		for _, s := range sums {
			id := aws.ToString(s.Id)
			ids = append(ids, id)
			if s.EntryPoint != nil {
				entry[id] = aws.ToString(s.EntryPoint.Name)
			}
		}
	}
	if len(ids) == 0 {
		_, err := fmt.Fprintf(o.Out, "no traces in the last %s\n", o.Since)
		return err
	}
	found := map[string]types.Trace{}
	for i := 0; i < len(ids); i += batchSize {
		batch := ids[i:min(i+batchSize, len(ids))]
		pages := xray.NewBatchGetTracesPaginator(client, &xray.BatchGetTracesInput{TraceIds: batch})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("traceview: reading traces: %w", err)
			}
			for _, tr := range out.Traces {
				found[aws.ToString(tr.Id)] = tr
			}
		}
	}
	printed := 0
	for _, id := range ids {
		tr, ok := found[id]
		if !ok {
			if o.TraceID != "" {
				return fmt.Errorf("traceview: no trace %s", id)
			}
			continue // gone between the summary and the read
		}
		if printed > 0 {
			if _, err := fmt.Fprintln(o.Out); err != nil {
				return err
			}
		}
		if err := write(o.Out, tr, entry[id]); err != nil {
			return err
		}
		printed++
	}
	return nil
}

// latest is the summaries of the newest limit traces since then, oldest
// first.
func latest(ctx context.Context, client *xray.Client, since time.Duration, limit int) ([]types.TraceSummary, error) {
	now := time.Now()
	pages := xray.NewGetTraceSummariesPaginator(client, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-since)), EndTime: aws.Time(now)})
	var all []types.TraceSummary
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("traceview: listing traces: %w", err)
		}
		all = append(all, out.TraceSummaries...)
	}
	sort.SliceStable(all, func(i, j int) bool { return aws.ToTime(all[i].StartTime).After(aws.ToTime(all[j].StartTime)) })
	if len(all) > limit {
		all = all[:limit]
	}
	sort.SliceStable(all, func(i, j int) bool { return aws.ToTime(all[i].StartTime).Before(aws.ToTime(all[j].StartTime)) })
	return all, nil
}
