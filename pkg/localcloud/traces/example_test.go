package traces_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
)

// A service's segment and a subsegment the SDK sent on its own are one
// trace when it is read.
func ExampleService_BatchGetTraces() {
	dir, err := os.MkdirTemp("", "traces")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	store, err := localcloud.OpenStore(filepath.Join(dir, "state.db"))
	if err != nil {
		panic(err)
	}
	defer store.Close()
	svc := traces.New(store)
	ctx := context.Background()

	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	id := traces.NewTraceID(start)
	fn := traces.Segment{Name: "pizza-CheckPizza", ID: traces.NewSegmentID(), TraceID: id, Origin: "AWS::Lambda::Function",
		StartTime: traces.Seconds(start), EndTime: traces.Seconds(start.Add(9 * time.Millisecond))}
	if err := svc.PutSegment(ctx, fn); err != nil {
		panic(err)
	}
	unprocessed, err := svc.PutTraceSegments(ctx, []string{fmt.Sprintf(
		`{"type": "subsegment", "name": "SNS", "namespace": "aws", "id": "0123456789abcdef", "trace_id": %q, "parent_id": %q, "start_time": %f, "end_time": %f}`,
		id, fn.ID, traces.Seconds(start.Add(time.Millisecond)), traces.Seconds(start.Add(5*time.Millisecond)))})
	if err != nil || len(unprocessed) > 0 {
		panic(fmt.Sprint(err, unprocessed))
	}

	out, err := svc.BatchGetTraces(ctx, []string{id})
	if err != nil {
		panic(err)
	}
	tr := out.Traces[0]
	var seg traces.Segment
	if err := json.Unmarshal([]byte(tr.Segments[0].Document), &seg); err != nil {
		panic(err)
	}
	fmt.Printf("%d segment, %.3f s: %s > %s\n", len(tr.Segments), tr.Duration, seg.Name, seg.Subsegments[0].Name)
	// Output:
	// 1 segment, 0.009 s: pizza-CheckPizza > SNS
}
