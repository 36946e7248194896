package functions

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/runtimeapi"
)

// invocation is one synchronous run: the environment, the platform log
// lines around the function's own and the trace it belongs to.
type invocation struct {
	s    *Service
	cfg  Configuration
	env  *env
	id   string
	tr   *trace
	cold bool

	res     *runtimeapi.Result
	err     error // no reply at all (ctx ended, the environment closed)
	lines   []LogLine
	initDur time.Duration
}

// run invokes and logs; it reports whether the environment is broken
// (timed out, crashed, failed its init) and must not be reused.
func (v *invocation) run(ctx context.Context, in InvokeInput) (broken bool) {
	initStart := time.Now()
	var initErr *runtimeapi.FunctionError
	if v.cold {
		v.initDur, initErr = v.env.ready(ctx, v.id)
	}
	v.lines = append(v.lines, v.env.drain()...)
	v.platform("platform.start", "START RequestId: "+v.id+" Version: "+latest, map[string]any{"requestId": v.id, "version": latest})
	start := time.Now()
	if initErr != nil {
		v.res = &runtimeapi.Result{RequestID: v.id, Error: initErr}
		broken = true
	} else {
		opts := []runtimeapi.InvokeOption{runtimeapi.WithRequestID(v.id), runtimeapi.WithTraceHeader(v.tr.header)}
		if in.ClientContext != "" {
			opts = append(opts, runtimeapi.WithClientContext(in.ClientContext))
		}
		v.res, v.err = v.env.inst.Invoke(ctx, in.Payload, opts...)
		if v.err != nil {
			v.res, broken = &runtimeapi.Result{RequestID: v.id}, true
		}
	}
	end := time.Now()
	v.lines = append(v.lines, v.env.drain()...)
	status := "success"
	if fe := v.res.Error; fe != nil {
		status = "error"
		switch fe.Type {
		case "Sandbox.Timedout":
			status, broken = "timeout", true
			v.lines = append(v.lines, LogLine{Time: end, Message: end.UTC().Format("2006-01-02T15:04:05.000Z") + " " + v.id + " " + fe.Message + "\n"})
		case "Runtime.ExitError":
			status, broken = "error", true
			v.lines = append(v.lines, LogLine{Time: end, Message: fe.Message + "\n" + fe.Type + "\n"})
		}
	}
	v.report(end.Sub(start), status)
	v.s.writeLogs(ctx, v.cfg, v.env.stream, v.lines)
	v.s.finishTrace(ctx, v, initStart, start, end)
	return broken
}

// platform adds one of Lambda's platform lines, as text or as the JSON
// log format's record.
func (v *invocation) platform(typ, text string, record map[string]any) {
	now := time.Now()
	if v.cfg.LoggingConfig.LogFormat != "JSON" {
		v.lines = append(v.lines, LogLine{Time: now, Message: text + "\n"})
		return
	}
	switch v.cfg.LoggingConfig.SystemLogLevel {
	case "WARN", "ERROR", "FATAL": // the platform lines are INFO
		return
	}
	b, _ := json.Marshal(map[string]any{"time": now.UTC().Format("2006-01-02T15:04:05.000Z"), "type": typ, "record": record})
	v.lines = append(v.lines, LogLine{Time: now, Message: string(b) + "\n"})
}

func (v *invocation) report(d time.Duration, status string) {
	ms := float64(d.Microseconds()) / 1000
	initMS := float64(v.initDur.Microseconds()) / 1000
	// The OS-only runtimes bill their init too.
	billed := int64(math.Ceil(ms + initMS))
	mem := maxMemoryMB(v.env.inst.PID())
	if v.cfg.LoggingConfig.LogFormat != "JSON" {
		v.platform("", "END RequestId: "+v.id, nil)
	}
	var text strings.Builder
	fmt.Fprintf(&text, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		v.id, ms, billed, v.cfg.MemorySize, mem)
	if v.cold {
		fmt.Fprintf(&text, "Init Duration: %.2f ms\t", initMS)
	}
	switch {
	case status == "timeout":
		text.WriteString("Status: timeout")
	case v.res.Error != nil && strings.HasPrefix(v.res.Error.Type, "Runtime."):
		// The platform's own errors, not the function's.
		text.WriteString("Status: error\tError Type: " + v.res.Error.Type)
	}
	metrics := map[string]any{"durationMs": ms, "billedDurationMs": billed, "memorySizeMB": v.cfg.MemorySize, "maxMemoryUsedMB": mem}
	if v.cold {
		metrics["initDurationMs"] = initMS
	}
	record := map[string]any{"requestId": v.id, "metrics": metrics, "status": status}
	if v.tr.traced() {
		fmt.Fprintf(&text, "\nXRAY TraceId: %s\tSegmentId: %s\tSampled: true\t", v.tr.root, v.tr.serviceID)
		record["tracing"] = map[string]any{"spanId": v.tr.serviceID, "type": "X-Amzn-Trace-Id", "value": v.tr.header}
	}
	v.platform("platform.report", text.String(), record)
}

// maxMemoryMB is the process's peak resident memory (Linux's VmHWM), or 0
// where /proc does not tell.
func maxMemoryMB(pid int) int {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return (kb + 1023) / 1024
		}
	}
	return 0
}

// maxLine is where Lambda splits a line too long for one log event.
const maxLine = 256 * 1024

// drain reads what the process wrote since the last drain. The process
// writes to a file, not a pipe, so everything written before its reply
// is readable once the reply has arrived: the lines land in order, before
// END.
func (e *env) drain() []LogLine {
	if e.out == nil {
		return nil
	}
	var lines []LogLine
	buf := make([]byte, 64*1024)
	now := time.Now()
	for {
		n, err := e.out.ReadAt(buf, e.off)
		e.off += int64(n)
		e.partial = append(e.partial, buf[:n]...)
		if n == 0 || err != nil {
			break
		}
	}
	rest := e.partial
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		lines = append(lines, LogLine{Time: now, Message: string(rest[:i+1])})
		rest = rest[i+1:]
	}
	if len(rest) >= maxLine {
		lines = append(lines, LogLine{Time: now, Message: string(rest) + "\n"})
		rest = nil
	}
	e.partial = append([]byte(nil), rest...)
	// Between invocations the process is idle: start the file over, so a
	// long-lived process does not fill the disk. The offset is shared with
	// the process (one open file), so seeking moves its writes too.
	if e.off > maxOutput && len(e.partial) == 0 && e.out.Truncate(0) == nil {
		if _, err := e.out.Seek(0, io.SeekStart); err == nil {
			e.off = 0
		}
	}
	return lines
}

// maxOutput is how large a process's output file grows before drain
// starts it over.
const maxOutput = 8 << 20

// writeLogs hands the invocation's lines to the sink, unless the role
// may not write them (Lambda then drops them silently).
func (s *Service) writeLogs(ctx context.Context, c Configuration, stream string, lines []LogLine) {
	if s.opts.logs == nil || len(lines) == 0 {
		return
	}
	group := logGroup(c)
	if a := s.opts.authz; a != nil {
		arn := "arn:aws:logs:" + s.region + ":" + s.account + ":log-group:" + group + ":*"
		if !a.Allowed(ctx, c.Role, "logs:CreateLogStream", arn) || !a.Allowed(ctx, c.Role, "logs:PutLogEvents", arn) {
			return
		}
	}
	if err := s.opts.logs.Append(context.WithoutCancel(ctx), group, stream, lines); err != nil && s.opts.logger != nil {
		s.opts.logger.Printf("lambda: logs of %s to %s: %v", c.FunctionName, group, err)
	}
}

// tail is Invoke's LogResult: the last 4 KB of the invocation's log.
func tail(lines []LogLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Message)
	}
	s := b.String()
	if len(s) > 4096 {
		s = s[len(s)-4096:]
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}
