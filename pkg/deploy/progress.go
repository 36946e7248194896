package deploy

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// printer serializes everything the deployer writes, from however many
// stacks are deploying at once. On a terminal it keeps a live region at the
// bottom, one line per resource with its latest status, redrawn in place as
// events arrive; messages print above it. Otherwise every event is a line
// of its own, as a CI log wants.
type printer struct {
	mu   sync.Mutex
	w    io.Writer
	live bool

	rows  []string          // keys, in order of first appearance
	lines map[string]string // key -> latest line
	drawn int               // lines of the live region on screen
}

func newPrinter(w io.Writer, live bool) *printer {
	return &printer{w: w, live: live, lines: map[string]string{}}
}

// liveWidth keeps a live line from wrapping, which would break the redraw.
const liveWidth = 160

// Printf writes a message (ending in a newline if it has none).
func (p *printer) Printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	msg := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	io.WriteString(p.w, msg)
	p.draw()
}

// Event shows one stack event, elapsed being the time since the stack's
// operation began.
func (p *printer) Event(stack string, e types.StackEvent, elapsed time.Duration) {
	line := eventLine(stack, e, elapsed)
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		io.WriteString(p.w, line+"\n")
		return
	}
	p.clear()
	if strings.HasSuffix(string(e.ResourceStatus), "_FAILED") {
		// A failure's reason is worth keeping whole, above the region.
		io.WriteString(p.w, line+"\n")
	}
	key := stack + "\x00" + aws.ToString(e.LogicalResourceId)
	if _, seen := p.lines[key]; !seen {
		p.rows = append(p.rows, key)
	}
	p.lines[key] = colour(e.ResourceStatus, truncate(line, liveWidth))
	p.draw()
}

// Confirm asks the question with the output held, so no other stack's
// progress interleaves with the prompt.
func (p *printer) Confirm(confirm func(string) bool, prompt string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	ok := confirm(prompt)
	p.draw()
	return ok
}

// Done leaves the live region on screen as it stands and starts afresh.
func (p *printer) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rows, p.lines, p.drawn = nil, map[string]string{}, 0
}

func (p *printer) clear() {
	if p.drawn > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA\x1b[J", p.drawn)
		p.drawn = 0
	}
}

func (p *printer) draw() {
	if !p.live {
		return
	}
	for _, key := range p.rows {
		io.WriteString(p.w, "\x1b[2K"+p.lines[key]+"\n")
	}
	p.drawn = len(p.rows)
}

// eventLine renders an event: time, stack, logical id, type, status,
// reason and the time since the operation began.
func eventLine(stack string, e types.StackEvent, elapsed time.Duration) string {
	at := "--:--:--"
	if e.Timestamp != nil {
		at = e.Timestamp.UTC().Format("15:04:05")
	}
	line := fmt.Sprintf("%s  %-20s  %-36s  %-36s  %-28s", at, stack,
		aws.ToString(e.LogicalResourceId), aws.ToString(e.ResourceType), e.ResourceStatus)
	if reason := oneLine(aws.ToString(e.ResourceStatusReason)); reason != "" {
		line += "  " + reason
	}
	return line + fmt.Sprintf("  (%s)", elapsed.Round(100*time.Millisecond))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// colour marks a status green when complete, red when failed or rolling
// back, yellow while in progress.
func colour(status types.ResourceStatus, line string) string {
	s := string(status)
	code := "33"
	switch {
	case strings.HasSuffix(s, "_FAILED") || strings.Contains(s, "ROLLBACK"):
		code = "31"
	case strings.HasSuffix(s, "_COMPLETE") || strings.HasSuffix(s, "_SKIPPED"):
		code = "32"
	}
	return "\x1b[" + code + "m" + line + "\x1b[0m"
}
