package machines

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/states"
	"github.com/stepforge/stepforge/pkg/states/mock"
)

// runner runs the executions of one Service: the goroutines of those
// under way, the machines compiled for them, the one token broker.
type runner struct {
	s      *Service
	ctx    context.Context
	cancel context.CancelFunc
	broker *states.TokenBroker
	wg     sync.WaitGroup
	// commits writes history events and ended records.
	commits *committer

	mu       sync.Mutex
	running  map[string]*active
	machines map[string]*states.Machine
	closing  bool

	mockOnce sync.Once
	mocks    *mock.Config
	mockErr  error
}

// active is one execution under way in this process.
type active struct {
	rec    Execution
	cancel context.CancelFunc
	done   chan struct{}
	// closing is set when the service closes: the execution is left
	// RUNNING in the store, to go on at the next Start.
	closing atomic.Bool
	// stop holds StopExecution's error and cause once it is called.
	stopMu           sync.Mutex
	stopped          bool
	stopErr, stopCse string
	result           Execution
	info             *execInfo
}

func newRunner(s *Service) *runner {
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{s: s, ctx: ctx, cancel: cancel, running: map[string]*active{}, machines: map[string]*states.Machine{}, commits: &committer{store: s.store}}
	r.broker = states.NewTokenBrokerKey(r.tokenKey())
	return r
}

// tokenKey is the broker's key, kept in the store so that a task resumed
// after a restart waits on the token its caller holds.
func (r *runner) tokenKey() []byte {
	var key []byte
	err := r.s.store.Update(func(tx *localcloud.Tx) error {
		found, err := tx.Get(metaTable, "token-key", &key)
		if err != nil || found {
			return err
		}
		key = make([]byte, 32)
		_, _ = rand.Read(key)
		return tx.Put(metaTable, "token-key", key)
	})
	if err != nil {
		log.Printf("states: token key: %v (tokens will not survive a restart)", err)
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return key
}

// Start resumes every Standard execution a previous process left RUNNING,
// from its stored history. Call it once the service's dependencies are
// wired.
func (s *Service) Start(_ context.Context) error {
	var recs []Execution
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(execTable, "", func(_ string, raw []byte) error {
			var rec Execution
			if err := json.Unmarshal(raw, &rec); err != nil {
				return err
			}
			if rec.Status == StatusRunning {
				recs = append(recs, rec)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, rec := range recs {
		history, err := s.history(rec.ARN)
		if err != nil {
			return err
		}
		s.runner.launch(rec, history, false)
	}
	return nil
}

// Close stops the executions under way without ending them: they stay
// RUNNING in the store and go on at the next Start.
func (s *Service) Close() error {
	r := s.runner
	r.mu.Lock()
	r.closing = true
	for _, a := range r.running {
		a.closing.Store(true)
	}
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	return nil
}

// launch runs an execution in its own goroutine: anew when history is
// nil, else resumed from it (or redriven, when redrive is set).
func (r *runner) launch(rec Execution, history []types.HistoryEvent, redrive bool) *active {
	ctx, cancel := context.WithCancel(r.ctx)
	a := &active{rec: rec, cancel: cancel, done: make(chan struct{})}
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		cancel()
		close(a.done)
		return a
	}
	if cur := r.running[rec.ARN]; cur != nil {
		// Already under way (Start called twice): one goroutine runs it.
		r.mu.Unlock()
		cancel()
		return cur
	}
	r.running[rec.ARN] = a
	r.wg.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		defer cancel()
		a.result = r.run(ctx, a, history, redrive)
		r.mu.Lock()
		delete(r.running, rec.ARN)
		r.mu.Unlock()
		close(a.done)
	}()
	return a
}

// run runs one execution to its end and records how it ended.
func (r *runner) run(ctx context.Context, a *active, history []types.HistoryEvent, redrive bool) Execution {
	rec := a.rec
	ex, err := r.execute(ctx, a, history, redrive)
	if a.closing.Load() {
		return rec
	}
	rec = ended(rec, ex, err)
	a.stopMu.Lock()
	if a.stopped && rec.Status == states.StatusAborted {
		rec.Error, rec.Cause = a.stopErr, a.stopCse
	}
	a.stopMu.Unlock()
	if ex != nil {
		r.s.observe(ctx, a.info, rec, ex)
	}
	if rec.Type == Standard {
		if err := r.commits.put(execTable, rec.ARN, rec); err != nil {
			log.Printf("states: record the end of %s: %v", rec.ARN, err)
		}
	}
	return rec
}

// execute runs (or resumes, or redrives) the execution on its machine.
func (r *runner) execute(ctx context.Context, a *active, history []types.HistoryEvent, redrive bool) (*states.Execution, error) {
	rec := a.rec
	m, err := r.machine(rec)
	if err != nil {
		return nil, err
	}
	ctx, a.info, err = r.s.withExecution(ctx, rec)
	if err != nil {
		return nil, err
	}
	opts := []states.RunOption{states.WithExecutionName(rec.Name)}
	if rec.Type == Standard {
		opts = append(opts, states.WithEventSink(func(ev types.HistoryEvent) {
			if a.closing.Load() {
				return
			}
			if ev.Type == types.HistoryEventTypeExecutionAborted {
				a.stopMu.Lock()
				ev.ExecutionAbortedEventDetails = &types.ExecutionAbortedEventDetails{Error: optional(a.stopErr), Cause: optional(a.stopCse)}
				a.stopMu.Unlock()
			}
			if err := r.commits.put(eventTable, eventKey(rec.ARN, ev.Id), ev); err != nil {
				log.Printf("states: record event %d of %s: %v", ev.Id, rec.ARN, err)
			}
		}))
	}
	switch {
	case redrive:
		return m.Redrive(ctx, history, opts...)
	case history != nil:
		return m.Resume(ctx, history, opts...)
	}
	return m.Run(ctx, []byte(rec.Input), opts...)
}

// ended is rec with the outcome of its run.
func ended(rec Execution, ex *states.Execution, err error) Execution {
	if err != nil {
		rec.Status, rec.Error, rec.Cause, rec.StopDate = states.StatusFailed, "States.Runtime", err.Error(), time.Now().UTC()
		return rec
	}
	rec.Status, rec.Error, rec.Cause, rec.StopDate = ex.Status, ex.Error, ex.Cause, ex.StopDate.UTC()
	rec.Output = nil
	if ex.Status == states.StatusSucceeded {
		out := string(ex.Output)
		rec.Output = &out
	}
	return rec
}

// machine compiles (once per machine revision and role) the machine rec
// runs.
func (r *runner) machine(rec Execution) (*states.Machine, error) {
	key := rec.MachineARN + "|" + rec.RevisionID + "|" + rec.RoleArn
	r.mu.Lock()
	m := r.machines[key]
	r.mu.Unlock()
	if m != nil && rec.RevisionID != "" {
		return m, nil
	}
	def, err := asl.Parse([]byte(rec.Definition))
	if err != nil {
		return nil, err
	}
	name := rec.MachineARN[len(ARN(arnRegion(rec.MachineARN), "")):]
	m, err = states.New(def, states.WithName(name), states.WithAccount(arnRegion(rec.MachineARN), localcloud.Account),
		states.WithRoleArn(rec.RoleArn), states.WithClock(r.s.clock), states.WithTasks(taskRouter{r.s}),
		states.WithTokenBroker(r.broker))
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.machines[key] = m
	r.mu.Unlock()
	return m, nil
}

// stop aborts the execution arn when it runs in this process, and waits
// for its end to be recorded.
func (r *runner) stop(arn, errName, cause string) bool {
	r.mu.Lock()
	a := r.running[arn]
	r.mu.Unlock()
	if a == nil {
		return false
	}
	a.stopMu.Lock()
	a.stopped, a.stopErr, a.stopCse = true, errName, cause
	a.stopMu.Unlock()
	a.cancel()
	<-a.done
	return true
}

// abortStored ends a RUNNING execution no goroutine runs: its history
// gets ExecutionAborted.
func (r *runner) abortStored(rec Execution, errName, cause string) (time.Time, error) {
	history, err := r.s.history(rec.ARN)
	if err != nil {
		return time.Time{}, err
	}
	now := r.s.clock.Now().UTC()
	ev := types.HistoryEvent{Id: int64(len(history) + 1), PreviousEventId: int64(len(history)), Timestamp: aws.Time(now),
		Type:                         types.HistoryEventTypeExecutionAborted,
		ExecutionAbortedEventDetails: &types.ExecutionAbortedEventDetails{Error: optional(errName), Cause: optional(cause)}}
	rec.Status, rec.Error, rec.Cause, rec.StopDate = states.StatusAborted, errName, cause, now
	err = r.s.store.Update(func(tx *localcloud.Tx) error {
		if err := tx.Put(eventTable, eventKey(rec.ARN, ev.Id), ev); err != nil {
			return err
		}
		return tx.Put(execTable, rec.ARN, rec)
	})
	return now, err
}

// wait returns the execution arn once it has ended.
func (r *runner) wait(ctx context.Context, arn string) (Execution, error) {
	for {
		r.mu.Lock()
		a := r.running[arn]
		r.mu.Unlock()
		if a != nil {
			select {
			case <-a.done:
				return a.result, nil
			case <-ctx.Done():
				return Execution{}, ctx.Err()
			}
		}
		rec, err := r.s.DescribeExecution(ctx, arn)
		if err != nil || rec.Status != StatusRunning {
			return rec, err
		}
		// Recorded RUNNING but not under way yet (Start is resuming it).
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return Execution{}, ctx.Err()
		}
	}
}

// checkTestCase checks that the mock configuration has the test case.
func (r *runner) checkTestCase(machine, testCase string) error {
	_, err := r.testCase(machine, testCase)
	return err
}

func (r *runner) testCase(machine, testCase string) (*mock.Case, error) {
	r.mockOnce.Do(func() {
		if r.s.mockPath == "" {
			r.mockErr = errors.New("no mock configuration file is set (SFN_MOCK_CONFIG)")
			return
		}
		r.mocks, r.mockErr = mock.Load(r.s.mockPath)
	})
	if r.mockErr != nil {
		return nil, validation(fmt.Sprintf("Test case %s of state machine %s: %v", testCase, machine, r.mockErr))
	}
	tc, err := r.mocks.TestCase(machine, testCase)
	if err != nil {
		return nil, validation(err.Error())
	}
	return tc, nil
}

// history reads the stored events of an execution, oldest first.
func (s *Service) history(arn string) ([]types.HistoryEvent, error) {
	var out []types.HistoryEvent
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(eventTable, arn+"/", func(_ string, raw []byte) error {
			var ev types.HistoryEvent
			if err := json.Unmarshal(raw, &ev); err != nil {
				return err
			}
			out = append(out, ev)
			return nil
		})
	})
	return out, err
}

func eventKey(arn string, id int64) string { return fmt.Sprintf("%s/%09d", arn, id) }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func sortNewestFirst(recs []Execution) {
	sort.SliceStable(recs, func(i, j int) bool {
		if !recs[i].StartDate.Equal(recs[j].StartDate) {
			return recs[i].StartDate.After(recs[j].StartDate)
		}
		return recs[i].ARN < recs[j].ARN
	})
}

func pageToken(rec Execution) string { return base64.RawURLEncoding.EncodeToString([]byte(rec.ARN)) }
