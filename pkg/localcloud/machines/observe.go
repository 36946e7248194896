package machines

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/localcloud/traces"
	"github.com/stepforge/stepforge/pkg/states"
)

// observe writes what an ended execution leaves behind besides its
// record: its log records and its X-Ray segments.
func (s *Service) observe(ctx context.Context, info *execInfo, rec Execution, ex *states.Execution) {
	if s.logs != nil && rec.Logging.Level != "" && rec.Logging.Level != "OFF" && len(rec.Logging.Destinations) > 0 {
		group, stream, lines := logRecords(rec, ex.History)
		if len(lines) > 0 {
			if err := s.logs.Append(context.WithoutCancel(ctx), group, stream, lines); err != nil {
				log.Printf("states: log %s: %v", rec.ARN, err)
			}
		}
	}
	if s.tracer != nil && info != nil && info.traced && info.root != "" {
		if err := s.tracer.PutSegment(context.WithoutCancel(ctx), segment(info, rec, ex)); err != nil {
			log.Printf("states: trace %s: %v", rec.ARN, err)
		}
	}
}

// logRecords are the log records of an execution's history at its
// machine's level: ALL every event, ERROR the events of errors (and Fail
// states entered), FATAL the execution's own failure, time-out or abort.
// https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
func logRecords(rec Execution, history []types.HistoryEvent) (group, stream string, lines []LogLine) {
	arn := rec.Logging.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn
	parts := strings.SplitN(strings.TrimSuffix(arn, ":*"), ":", 7)
	if len(parts) == 7 {
		group = parts[6]
	}
	stream = "states/" + machineName(rec.MachineARN) + "/" + rec.StartDate.UTC().Format("2006-01-02-15-04") + "/" + logStreamID(rec)
	for _, ev := range history {
		if !logged(rec.Logging.Level, ev.Type) {
			continue
		}
		details := eventDetails(ev, rec.Logging.IncludeExecutionData)
		line := map[string]any{
			"id": strconv.FormatInt(ev.Id, 10), "type": string(ev.Type), "details": details,
			"previous_event_id": strconv.FormatInt(ev.PreviousEventId, 10),
			"event_timestamp":   strconv.FormatInt(aws.ToTime(ev.Timestamp).UnixMilli(), 10),
			"execution_arn":     rec.ARN, "redrive_count": strconv.Itoa(rec.RedriveCount),
		}
		b, _ := json.Marshal(line)
		lines = append(lines, LogLine{Time: aws.ToTime(ev.Timestamp), Message: string(b)})
	}
	return group, stream, lines
}

func logStreamID(rec Execution) string {
	id := rec.ARN[strings.LastIndex(rec.ARN, ":")+1:]
	return strings.ReplaceAll(id, "-", "")
}

func logged(level string, typ types.HistoryEventType) bool {
	t := string(typ)
	switch level {
	case "ALL":
		return true
	case "ERROR":
		return typ == types.HistoryEventTypeFailStateEntered ||
			strings.HasSuffix(t, "Failed") || strings.HasSuffix(t, "TimedOut") || strings.HasSuffix(t, "Aborted")
	case "FATAL":
		return typ == types.HistoryEventTypeExecutionFailed || typ == types.HistoryEventTypeExecutionTimedOut || typ == types.HistoryEventTypeExecutionAborted
	}
	return false
}

// eventDetails is the details object of an event in wire form, without
// input and output unless includeData.
func eventDetails(ev types.HistoryEvent, includeData bool) map[string]any {
	v := reflect.ValueOf(ev)
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if !strings.HasSuffix(f.Name, "EventDetails") || v.Field(i).IsNil() {
			continue
		}
		m, _ := wire(v.Field(i)).(map[string]any)
		if !includeData {
			for _, k := range []string{"input", "output", "parameters", "result"} {
				delete(m, k)
			}
		}
		return m
	}
	return map[string]any{}
}

// segment is the X-Ray segment of an execution, with a subsegment per
// state and, inside a task's, the one whose id its trace header passed on.
func segment(info *execInfo, rec Execution, ex *states.Execution) traces.Segment {
	h := traces.ParseHeader(rec.TraceHeader)
	seg := traces.Segment{
		Name: machineName(rec.MachineARN), ID: info.segment, TraceID: h.Root, ParentID: h.Parent,
		StartTime: traces.Seconds(rec.StartDate), EndTime: traces.Seconds(rec.StopDate),
		Origin: "AWS::StepFunctions::StateMachine", ResourceARN: rec.ARN,
		AWS:   map[string]any{"execution_arn": rec.ARN, "state_machine_arn": rec.MachineARN},
		Error: rec.Status == states.StatusFailed || rec.Status == states.StatusTimedOut,
	}
	if seg.Error {
		// The execution's error and cause, as a failed segment records
		// what failed it.
		seg.Cause = &traces.Cause{Exceptions: []traces.Exception{{ID: traces.NewSegmentID(), Type: ex.Error, Message: ex.Cause}}}
	}
	attempts := map[string]int{}
	open := map[string]int{}
	for _, ev := range ex.History {
		at := traces.Seconds(aws.ToTime(ev.Timestamp))
		switch {
		case ev.StateEnteredEventDetails != nil:
			name := aws.ToString(ev.StateEnteredEventDetails.Name)
			open[name] = len(seg.Subsegments)
			seg.Subsegments = append(seg.Subsegments, traces.Segment{Name: name, ID: traces.NewSegmentID(), StartTime: at, InProgress: true})
		case ev.StateExitedEventDetails != nil:
			name := aws.ToString(ev.StateExitedEventDetails.Name)
			if i, ok := open[name]; ok {
				seg.Subsegments[i].EndTime, seg.Subsegments[i].InProgress = at, false
				delete(open, name)
			}
		case ev.TaskScheduledEventDetails != nil || ev.LambdaFunctionScheduledEventDetails != nil:
			name := stateOf(ex.History, ev)
			n := attempts[name]
			attempts[name]++
			info.mu.Lock()
			id := info.taskSegments[fmt.Sprintf("%s#%d", name, n)]
			info.mu.Unlock()
			if i, ok := open[name]; ok && id != "" {
				sub := traces.Segment{Name: name, ID: id, StartTime: at, EndTime: at, Namespace: "aws"}
				seg.Subsegments[i].Subsegments = append(seg.Subsegments[i].Subsegments, sub)
			}
		case strings.HasPrefix(string(ev.Type), "Task") || strings.HasPrefix(string(ev.Type), "LambdaFunction"):
			name := stateOf(ex.History, ev)
			if i, ok := open[name]; ok {
				if subs := seg.Subsegments[i].Subsegments; len(subs) > 0 {
					subs[len(subs)-1].EndTime = at
					if strings.HasSuffix(string(ev.Type), "Failed") || strings.HasSuffix(string(ev.Type), "TimedOut") {
						subs[len(subs)-1].Error = true
					}
				}
			}
		}
	}
	for i := range seg.Subsegments {
		if seg.Subsegments[i].InProgress {
			seg.Subsegments[i].EndTime, seg.Subsegments[i].InProgress = seg.EndTime, false
		}
	}
	return seg
}

// stateOf names the state an event belongs to: the StateEntered event
// it follows, through previous event ids.
func stateOf(history []types.HistoryEvent, ev types.HistoryEvent) string {
	for id := ev.PreviousEventId; id > 0 && int(id) <= len(history); {
		p := history[id-1]
		if p.StateEnteredEventDetails != nil {
			return aws.ToString(p.StateEnteredEventDetails.Name)
		}
		id = p.PreviousEventId
	}
	return ""
}
