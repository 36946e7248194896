package cloud

import (
	"context"
	"log"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud/logs"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
)

// delivery takes the log lines and trace segments Lambda and Step
// Functions write off the path of the call that wrote them, as in AWS,
// where both reach CloudWatch Logs and X-Ray asynchronously: what arrives
// while one batch is written goes into the next, with one store commit
// per log stream and one for all segments, instead of several per
// invocation.
type delivery struct {
	sink   logSink
	xray   *traces.Service
	logger *log.Logger

	mu    sync.Mutex
	lines map[stream][]logs.Event
	order []stream
	segs  []traces.Segment

	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

type stream struct{ group, name string }

func newDelivery(sink logSink, xray *traces.Service, logger *log.Logger) *delivery {
	d := &delivery{sink: sink, xray: xray, logger: logger, lines: map[stream][]logs.Event{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go d.run()
	return d
}

func (d *delivery) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *delivery) appendLines(group, name string, times []time.Time, msgs []string) {
	k := stream{group, name}
	d.mu.Lock()
	if _, ok := d.lines[k]; !ok {
		d.order = append(d.order, k)
	}
	for i := range msgs {
		d.lines[k] = append(d.lines[k], logs.Event{Timestamp: times[i].UnixMilli(), Message: msgs[i]})
	}
	d.mu.Unlock()
	d.signal()
}

// PutSegment queues seg for X-Ray (the Tracer of Lambda and Step
// Functions).
func (d *delivery) PutSegment(_ context.Context, seg traces.Segment) error {
	d.mu.Lock()
	d.segs = append(d.segs, seg)
	d.mu.Unlock()
	d.signal()
	return nil
}

func (d *delivery) run() {
	defer close(d.done)
	for {
		select {
		case <-d.wake:
			d.flush()
		case <-d.stop:
			d.flush()
			return
		}
	}
}

// flush writes what is queued.
func (d *delivery) flush() {
	d.mu.Lock()
	lines, order, segs := d.lines, d.order, d.segs
	d.lines, d.order, d.segs = map[stream][]logs.Event{}, nil, nil
	d.mu.Unlock()
	ctx := context.Background()
	for _, k := range order {
		if err := d.sink.append(ctx, k.group, k.name, lines[k]); err != nil {
			d.logf("logs: %d events for %s %s dropped: %v", len(lines[k]), k.group, k.name, err)
		}
	}
	if len(segs) > 0 {
		if err := d.xray.PutSegments(ctx, segs); err != nil {
			d.logf("X-Ray: %v", err)
		}
	}
}

func (d *delivery) logf(format string, args ...any) {
	if d.logger != nil {
		d.logger.Printf(format, args...)
	} else {
		log.Printf("local cloud: "+format, args...)
	}
}

// close writes what is still queued and stops.
func (d *delivery) close() {
	close(d.stop)
	<-d.done
}
