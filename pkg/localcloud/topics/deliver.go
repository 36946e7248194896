package topics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// runner is the delivery worker's state.
type runner struct {
	mu     sync.Mutex
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// Start delivers every pending delivery, now and as messages are
// published, until Close. A delivery leaves the store only once it
// succeeded or was given up, so one cut short by Close or a crash is
// made again after a restart.
func (s *Service) Start() {
	s.run.mu.Lock()
	defer s.run.mu.Unlock()
	if s.run.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.run.cancel, s.run.done = cancel, make(chan struct{})
	go s.loop(ctx, s.run.done)
}

// Close stops delivering and waits for the delivery under way to end.
func (s *Service) Close() error {
	s.run.mu.Lock()
	cancel, done := s.run.cancel, s.run.done
	s.run.cancel = nil
	s.run.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

func (s *Service) wakeUp() {
	select {
	case s.run.wake <- struct{}{}:
	default:
	}
}

func (s *Service) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		next, err := s.deliverDue(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.logf("delivery: %v", err)
			next = s.now().Add(time.Second)
		}
		var due <-chan time.Time
		var timer *time.Timer
		if !next.IsZero() {
			timer = time.NewTimer(next.Sub(s.now()))
			due = timer.C
		}
		select {
		case <-ctx.Done():
		case <-s.run.wake:
		case <-due:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// deliverDue makes each delivery that is due once and returns when the
// earliest one left is due (zero when none is left).
func (s *Service) deliverDue(ctx context.Context) (time.Time, error) {
	pending, err := s.deliveries(ctx)
	if err != nil {
		return time.Time{}, err
	}
	var next time.Time
	for _, d := range pending {
		now := s.now()
		if d.NextAt.After(now) {
			if next.IsZero() || d.NextAt.Before(next) {
				next = d.NextAt
			}
			continue
		}
		derr := s.deliverOne(ctx, &d)
		if ctx.Err() != nil {
			return time.Time{}, nil
		}
		again, err := s.settle(&d, derr)
		if err != nil {
			return time.Time{}, err
		}
		if !again.IsZero() && (next.IsZero() || again.Before(next)) {
			next = again
		}
	}
	return next, nil
}

// settle records a delivery's outcome: removed when it succeeded or is
// given up, else rescheduled by its protocol's retry policy.
func (s *Service) settle(d *Delivery, derr error) (time.Time, error) {
	var again time.Time
	if derr != nil {
		d.Attempts++
		var p *permanentError
		delay, ok := retryPolicyFor(d.Protocol).delay(d.Attempts)
		switch {
		case errors.As(derr, &p):
			s.logf("not delivering message %s to %s (%s %s): %v", d.MessageID, d.SubscriptionArn, d.Protocol, d.Endpoint, derr)
		case !ok:
			s.logf("giving up message %s to %s (%s %s) after %d attempts: %v", d.MessageID, d.SubscriptionArn, d.Protocol, d.Endpoint, d.Attempts, derr)
		default:
			s.logf("delivery %d of message %s to %s (%s) failed, retrying in %v: %v", d.Attempts, d.MessageID, d.SubscriptionArn, d.Protocol, delay, derr)
			again = s.now().Add(time.Duration(float64(delay) * s.opts.scale))
			d.NextAt = again
		}
	}
	return again, s.store.Update(func(tx *localcloud.Tx) error {
		if again.IsZero() {
			return tx.Delete(tableDeliveries, d.Key)
		}
		var cur Delivery
		if found, err := tx.Get(tableDeliveries, d.Key, &cur); err != nil || !found {
			return err
		}
		return tx.Put(tableDeliveries, d.Key, d)
	})
}

// permanentError is a delivery failure SNS does not retry: a client
// error, or a protocol the local cloud does not deliver to.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err} }

// deliverOne makes one delivery attempt.
func (s *Service) deliverOne(ctx context.Context, d *Delivery) error {
	var sub Subscription
	var t topic
	var stored storedMessage
	var foundSub, foundMsg bool
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		if foundSub, err = tx.Get(tableSubs, d.SubscriptionArn, &sub); err != nil {
			return err
		}
		if _, err = tx.Get(tableTopics, d.TopicArn, &t); err != nil {
			return err
		}
		order, _, _ := strings.Cut(d.Key, "\x00")
		foundMsg, err = tx.Get(tableMessages, d.TopicArn+"\x00"+order, &stored)
		return err
	})
	if err != nil {
		return err
	}
	if !foundSub {
		return permanent(errors.New("the subscription was deleted"))
	}
	if d.Kind == "SubscriptionConfirmation" {
		if !sub.PendingConfirmation {
			return nil
		}
		switch sub.Protocol {
		case "email", "email-json":
			return s.mailConfirmation(d, &sub, t.Attributes["DisplayName"])
		case "http", "https":
			return s.post(ctx, &sub, "SubscriptionConfirmation", d.MessageID, d.TopicArn, s.confirmationJSON(d))
		}
		return nil
	}
	if !foundMsg {
		return permanent(errors.New("the message is gone"))
	}
	m, err := s.unseal(ctx, stored)
	if err != nil {
		return err
	}
	switch sub.Protocol {
	case "lambda":
		if s.opts.lambda == nil {
			return permanent(errors.New("no Lambda service is configured for lambda delivery"))
		}
		err := s.opts.lambda.InvokeAsync(ctx, regionOfArn(sub.Endpoint), sub.Endpoint, s.lambdaEvent(&m, &sub))
		var le *localcloud.Error
		if errors.As(err, &le) && le.Status >= 400 && le.Status < 500 && le.Status != http.StatusTooManyRequests {
			return permanent(err)
		}
		return err
	case "email", "email-json":
		return s.mailNotification(&m, &sub, t.Attributes["DisplayName"], d)
	case "http", "https":
		body := s.notificationJSON(&m, &sub)
		if sub.Attributes["RawMessageDelivery"] == "true" {
			body = []byte(messageFor(&m, sub.Protocol))
		}
		return s.post(ctx, &sub, "Notification", m.ID, m.TopicArn, body)
	}
	return permanent(fmt.Errorf("the local cloud does not emulate delivery to %s endpoints", sub.Protocol))
}

// post sends an http(s) endpoint a message with SNS's headers.
func (s *Service) post(ctx context.Context, sub *Subscription, kind, id, topicArn string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return permanent(err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=UTF-8")
	req.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
	req.Header.Set("x-amz-sns-message-type", kind)
	req.Header.Set("x-amz-sns-message-id", id)
	req.Header.Set("x-amz-sns-topic-arn", topicArn)
	if kind == "Notification" {
		req.Header.Set("x-amz-sns-subscription-arn", sub.Arn)
		if sub.Attributes["RawMessageDelivery"] == "true" {
			req.Header.Set("x-amz-sns-rawdelivery", "true")
		}
	}
	resp, err := s.opts.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%s answered %s", sub.Endpoint, resp.Status)
	}
	return permanent(fmt.Errorf("%s answered %s", sub.Endpoint, resp.Status))
}

// retryPolicy is one of SNS's delivery policies: retries in an immediate
// phase, a pre-backoff phase, an exponential backoff phase and a
// post-backoff phase.
//
// https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
type retryPolicy struct {
	immediate int
	pre       int
	preDelay  time.Duration
	backoff   int
	min, max  time.Duration
	post      int
	postDelay time.Duration
}

var (
	// managedPolicy is AWS-managed endpoints' (Lambda, SQS).
	managedPolicy = retryPolicy{immediate: 3, pre: 2, preDelay: time.Second, backoff: 10, min: time.Second, max: 20 * time.Second, post: 100000, postDelay: 20 * time.Second}
	// smtpPolicy is customer-managed endpoints' (email).
	smtpPolicy = retryPolicy{pre: 2, preDelay: 10 * time.Second, backoff: 10, min: 10 * time.Second, max: 600 * time.Second, post: 38, postDelay: 600 * time.Second}
	// httpPolicy is an http(s) subscription's default: 3 retries 20 s apart.
	httpPolicy = retryPolicy{pre: 3, preDelay: 20 * time.Second}
)

func retryPolicyFor(protocol string) retryPolicy {
	switch protocol {
	case "email", "email-json":
		return smtpPolicy
	case "http", "https":
		return httpPolicy
	}
	return managedPolicy
}

// delay is the wait before retry number n (1 after the first failure);
// ok is false once the policy is exhausted.
func (p retryPolicy) delay(n int) (d time.Duration, ok bool) {
	if n <= p.immediate {
		return 0, true
	}
	n -= p.immediate
	if n <= p.pre {
		return p.preDelay, true
	}
	n -= p.pre
	if n <= p.backoff {
		if p.backoff == 1 {
			return p.min, true
		}
		// Exponential from min to max over the phase's retries.
		f := math.Pow(float64(p.max)/float64(p.min), float64(n-1)/float64(p.backoff-1))
		return time.Duration(float64(p.min) * f).Round(time.Millisecond), true
	}
	n -= p.backoff
	if n <= p.post {
		return p.postDelay, true
	}
	return 0, false
}

// queueConfirmation keeps the confirmation request a pending
// subscription is sent, for the worker to deliver.
func queueConfirmation(tx *localcloud.Tx, sub *Subscription, now time.Time) error {
	id := localcloud.NewID()
	d := Delivery{Key: fmt.Sprintf("%020d", now.UnixNano()) + "-" + id + "\x00" + sub.Arn, MessageID: id,
		TopicArn: sub.TopicArn, SubscriptionArn: sub.Arn, Protocol: sub.Protocol, Endpoint: sub.Endpoint,
		Created: now, Kind: "SubscriptionConfirmation", Token: sub.Token}
	return tx.Put(tableDeliveries, d.Key, d)
}
