// Package topics is the local cloud's Amazon SNS control plane: topics,
// their attributes and tags, and subscriptions with SNS's confirmation
// flow (email, email-json, http and https endpoints wait for
// confirmation; lambda and sqs are confirmed at once), and Publish, which
// keeps each message with one pending delivery per confirmed
// subscription; Start delivers them (deliver.go).
//
// https://docs.aws.amazon.com/sns/latest/api/API_Operations.html
package topics

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Tables of the store.
const (
	tableTopics = "sns.topics"        // by topic ARN
	tableSubs   = "sns.subscriptions" // by subscription ARN (<topic ARN>:<id>)
)

// pageSize is how many topics or subscriptions one List call returns, as
// SNS pages them.
const pageSize = 100

// maxTags is SNS's quota of tags per topic.
const maxTags = 50

// Tag is a topic's tag.
type Tag struct {
	Key   string
	Value string
}

// Subscription is one subscription of a topic, as delivery needs it.
type Subscription struct {
	Arn      string
	TopicArn string
	Protocol string
	Endpoint string
	Owner    string
	// PendingConfirmation is true until the endpoint confirms (email,
	// email-json, http, https).
	PendingConfirmation          bool
	ConfirmationWasAuthenticated bool
	// Token is what a confirmation message carries and
	// ConfirmSubscription takes back.
	Token string `json:",omitempty"`
	// Attributes are the attributes set on the subscription
	// (FilterPolicy, RawMessageDelivery, ...).
	Attributes map[string]string `json:",omitempty"`
}

type topic struct {
	Arn        string
	Name       string
	Attributes map[string]string // as set: DisplayName, Policy, KmsMasterKeyId, ...
	Tags       []Tag
	Deleted    int   // subscriptions deleted
	Sequence   int64 // messages published to a FIFO topic
}

// Service is the SNS control plane over the local cloud's store.
type Service struct {
	store *localcloud.Store
	keys  KeyChecker
	now   func() time.Time
	opts  options
	run   runner
}

// New returns the SNS service keeping its state in store; Start begins
// delivering what is published.
func New(store *localcloud.Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, opts: defaultOptions()}
	for _, o := range opts {
		o(&s.opts)
	}
	s.run.wake = make(chan struct{}, 1)
	return s
}

func invalid(format string, args ...any) error {
	return &localcloud.Error{Code: "InvalidParameter", Status: http.StatusBadRequest, Message: "Invalid parameter: " + fmt.Sprintf(format, args...)}
}

func topicNotFound() error {
	return &localcloud.Error{Code: "NotFound", Status: http.StatusNotFound, Message: "Topic does not exist"}
}

func subNotFound() error {
	return &localcloud.Error{Code: "NotFound", Status: http.StatusNotFound, Message: "Subscription does not exist"}
}

func resourceNotFound() error {
	return &localcloud.Error{Code: "ResourceNotFound", Status: http.StatusNotFound, Message: "Resource does not exist"}
}

var (
	topicNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	fifoNameRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,251}\.fifo$`)
	topicArnRE  = regexp.MustCompile(`^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}|[A-Za-z0-9_-]{1,251}\.fifo)$`)
	emailRE     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]+$`)
	lambdaArnRE = regexp.MustCompile(`^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$`)
	sqsArnRE    = regexp.MustCompile(`^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$`)
)

// TopicARN is the ARN of the topic named name in region.
func TopicARN(region, name string) string {
	if region == "" {
		region = localcloud.Region
	}
	return "arn:aws:sns:" + region + ":" + localcloud.Account + ":" + name
}

// TopicName is the name in a topic ARN.
func TopicName(arn string) string { return arn[strings.LastIndex(arn, ":")+1:] }

func checkTopicArn(arn string) error {
	if !topicArnRE.MatchString(arn) {
		return invalid("TopicArn")
	}
	return nil
}

// topicAttributes are the attributes CreateTopic and SetTopicAttributes
// take. FifoTopic is create-only.
var topicAttributes = map[string]bool{
	"DeliveryPolicy": true, "DisplayName": true, "Policy": true, "TracingConfig": true,
	"KmsMasterKeyId": true, "SignatureVersion": true, "FifoTopic": true,
	"ContentBasedDeduplication": true, "FifoThroughputScope": true,
}

func init() {
	// Delivery status logging attributes, stored as given.
	for _, p := range []string{"HTTP", "Firehose", "Lambda", "Application", "SQS"} {
		for _, s := range []string{"SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn"} {
			topicAttributes[p+s] = true
		}
	}
}

// checkTopicAttribute validates one topic attribute for a topic that is
// (or will be) FIFO or not.
func checkTopicAttribute(name, value string, fifo bool) error {
	if !topicAttributes[name] {
		return invalid("AttributeName")
	}
	switch name {
	case "DisplayName":
		if len(value) > 100 {
			return invalid("DisplayName")
		}
	case "Policy", "DeliveryPolicy":
		if value != "" && !isJSONObject(value) {
			return invalid("%s: failed to parse JSON.", name)
		}
	case "TracingConfig":
		if value != "PassThrough" && value != "Active" {
			return invalid("Attributes Reason: TracingConfig: Invalid value [%s]. Valid values: [PassThrough, Active]", value)
		}
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return invalid("SignatureVersion")
		}
	case "FifoTopic":
		if value != "true" && value != "false" {
			return invalid("FifoTopic")
		}
	case "ContentBasedDeduplication":
		if value != "true" && value != "false" {
			return invalid("ContentBasedDeduplication")
		}
		if !fifo {
			return invalid("ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics")
		}
	case "FifoThroughputScope":
		if !fifo {
			return invalid("FifoThroughputScope Reason: FifoThroughputScope can only be set for FIFO topics")
		}
		if value != "Topic" && value != "MessageGroup" {
			return invalid("FifoThroughputScope")
		}
	}
	return nil
}

func isJSONObject(s string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(s), &m) == nil && m != nil
}

func checkTags(tags []Tag) error {
	for _, t := range tags {
		if len(t.Key) < 1 || len(t.Key) > 128 || strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return invalid("Tags Reason: Tag key %q is not valid", t.Key)
		}
		if len(t.Value) > 256 {
			return invalid("Tags Reason: Tag value for key %q is over 256 characters", t.Key)
		}
	}
	return nil
}

func mergeTags(old, add []Tag) ([]Tag, error) {
	out := append([]Tag(nil), old...)
	for _, t := range add {
		found := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, found = t.Value, true
			}
		}
		if !found {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, &localcloud.Error{Code: "TagLimitExceeded", Status: http.StatusBadRequest, Message: "Could not complete request: tag quota of per resource exceeded"}
	}
	return out, nil
}

func sameTags(a, b []Tag) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]string{}
	for _, t := range a {
		m[t.Key] = t.Value
	}
	for _, t := range b {
		if v, ok := m[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

// CreateTopic creates the topic named name in region, or returns the ARN
// of the topic of that name that exists with the same attributes and
// tags (CreateTopic is idempotent).
func (s *Service) CreateTopic(_ context.Context, region, name string, attrs map[string]string, tags []Tag) (string, error) {
	fifo := attrs["FifoTopic"] == "true"
	if fifo {
		if !fifoNameRE.MatchString(name) {
			return "", invalid("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
		}
	} else if !topicNameRE.MatchString(name) {
		return "", invalid("Topic Name")
	}
	for k, v := range attrs {
		if err := checkTopicAttribute(k, v, fifo); err != nil {
			return "", err
		}
	}
	if err := checkTags(tags); err != nil {
		return "", err
	}
	if len(tags) > maxTags {
		return "", &localcloud.Error{Code: "TagLimitExceeded", Status: http.StatusBadRequest, Message: "Could not complete request: tag quota of per resource exceeded"}
	}
	arn := TopicARN(region, name)
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var t topic
		found, err := tx.Get(tableTopics, arn, &t)
		if err != nil {
			return err
		}
		if found {
			for k, v := range attrs {
				if cur, ok := t.Attributes[k]; ok && cur != v || !ok && v != defaultTopicAttribute(k) {
					return invalid("Attributes Reason: Topic already exists with different attributes")
				}
			}
			if len(tags) > 0 && !sameTags(t.Tags, tags) {
				return invalid("Tags Reason: Topic already exists with different tags")
			}
			return nil
		}
		t = topic{Arn: arn, Name: name, Attributes: map[string]string{}, Tags: tags}
		for k, v := range attrs {
			t.Attributes[k] = v
		}
		if fifo {
			t.Attributes["FifoTopic"] = "true"
		} else {
			delete(t.Attributes, "FifoTopic")
		}
		return tx.Put(tableTopics, arn, &t)
	})
	if err != nil {
		return "", err
	}
	return arn, nil
}

// defaultTopicAttribute is the value an attribute has when never set.
func defaultTopicAttribute(name string) string {
	switch name {
	case "FifoTopic", "ContentBasedDeduplication":
		return "false"
	}
	return ""
}

func getTopic(tx *localcloud.Tx, arn string) (*topic, error) {
	if err := checkTopicArn(arn); err != nil {
		return nil, err
	}
	var t topic
	found, err := tx.Get(tableTopics, arn, &t)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, topicNotFound()
	}
	if t.Attributes == nil {
		t.Attributes = map[string]string{}
	}
	return &t, nil
}

// DefaultPolicy is the access policy SNS gives a topic that sets none.
func DefaultPolicy(arn string) string {
	p := map[string]any{
		"Version": "2008-10-17",
		"Id":      "__default_policy_ID",
		"Statement": []any{map[string]any{
			"Sid":       "__default_statement_ID",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": "*"},
			"Action": []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
				"SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
			"Resource":  arn,
			"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceOwner": localcloud.Account}},
		}},
	}
	b, _ := json.Marshal(orderedPolicy(p))
	return string(b)
}

// orderedPolicy keeps the policy's keys in the order SNS writes them.
func orderedPolicy(p map[string]any) json.RawMessage {
	st := p["Statement"].([]any)[0].(map[string]any)
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	stmt := `{"Sid":` + enc(st["Sid"]) + `,"Effect":` + enc(st["Effect"]) + `,"Principal":` + enc(st["Principal"]) +
		`,"Action":` + enc(st["Action"]) + `,"Resource":` + enc(st["Resource"]) + `,"Condition":` + enc(st["Condition"]) + `}`
	return json.RawMessage(`{"Version":` + enc(p["Version"]) + `,"Id":` + enc(p["Id"]) + `,"Statement":[` + stmt + `]}`)
}

// defaultDeliveryPolicy is the EffectiveDeliveryPolicy of a topic with no
// DeliveryPolicy of its own.
const defaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// defaultSubscriptionDeliveryPolicy is an http(s) subscription's
// EffectiveDeliveryPolicy when neither it nor its topic sets one.
const defaultSubscriptionDeliveryPolicy = `{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"},"guaranteed":false}`

// GetTopicAttributes returns a topic's attributes as SNS gives them.
func (s *Service) GetTopicAttributes(_ context.Context, arn string) (map[string]string, error) {
	var out map[string]string
	err := s.store.View(func(tx *localcloud.Tx) error {
		t, err := getTopic(tx, arn)
		if err != nil {
			return err
		}
		confirmed, pending := 0, 0
		err = tx.Scan(tableSubs, arn+":", func(_ string, raw []byte) error {
			var sub Subscription
			if err := json.Unmarshal(raw, &sub); err != nil {
				return err
			}
			if sub.PendingConfirmation {
				pending++
			} else {
				confirmed++
			}
			return nil
		})
		if err != nil {
			return err
		}
		out = map[string]string{}
		for k, v := range t.Attributes {
			out[k] = v
		}
		out["TopicArn"] = arn
		out["Owner"] = localcloud.Account
		out["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
		out["SubscriptionsPending"] = strconv.Itoa(pending)
		out["SubscriptionsDeleted"] = strconv.Itoa(t.Deleted)
		out["DisplayName"] = t.Attributes["DisplayName"]
		if out["Policy"] == "" {
			out["Policy"] = DefaultPolicy(arn)
		}
		out["EffectiveDeliveryPolicy"] = defaultDeliveryPolicy
		if dp := t.Attributes["DeliveryPolicy"]; dp != "" {
			out["EffectiveDeliveryPolicy"] = dp
		} else {
			delete(out, "DeliveryPolicy")
		}
		if out["FifoTopic"] == "true" && out["ContentBasedDeduplication"] == "" {
			out["ContentBasedDeduplication"] = "false"
		}
		return nil
	})
	return out, err
}

// SetTopicAttributes sets one attribute of a topic.
func (s *Service) SetTopicAttributes(_ context.Context, arn, name, value string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		t, err := getTopic(tx, arn)
		if err != nil {
			return err
		}
		if name == "FifoTopic" {
			return invalid("AttributeName")
		}
		if err := checkTopicAttribute(name, value, t.Attributes["FifoTopic"] == "true"); err != nil {
			return err
		}
		if value == "" {
			delete(t.Attributes, name)
		} else {
			t.Attributes[name] = value
		}
		return tx.Put(tableTopics, arn, t)
	})
}

func encodeToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 {
		return "", invalid("NextToken")
	}
	return string(b), nil
}

// page scans table from the key the token names (or prefix's start) and
// returns up to pageSize records accepted by keep, and the token of the
// next page.
func page[T any](tx *localcloud.Tx, table, prefix, token string, keep func(*T) bool) ([]T, string, error) {
	start := ""
	if token != "" {
		var err error
		if start, err = decodeToken(token); err != nil {
			return nil, "", err
		}
		if !strings.HasPrefix(start, prefix) {
			return nil, "", invalid("NextToken")
		}
	}
	var out []T
	next := ""
	err := tx.Scan(table, prefix, func(key string, raw []byte) error {
		if key < start || next != "" {
			return nil
		}
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if keep != nil && !keep(&v) {
			return nil
		}
		if len(out) == pageSize {
			next = encodeToken(key)
			return nil
		}
		out = append(out, v)
		return nil
	})
	return out, next, err
}

// ListTopics lists the region's topic ARNs, 100 a page.
func (s *Service) ListTopics(_ context.Context, region, nextToken string) ([]string, string, error) {
	var arns []string
	var next string
	err := s.store.View(func(tx *localcloud.Tx) error {
		ts, n, err := page[topic](tx, tableTopics, TopicARN(region, ""), nextToken, nil)
		for _, t := range ts {
			arns = append(arns, t.Arn)
		}
		next = n
		return err
	})
	return arns, next, err
}

// DeleteTopic deletes a topic and its subscriptions. Deleting a topic
// that does not exist is not an error, as SNS documents.
func (s *Service) DeleteTopic(_ context.Context, arn string) error {
	if err := checkTopicArn(arn); err != nil {
		return err
	}
	return s.store.Update(func(tx *localcloud.Tx) error {
		var keys []string
		if err := tx.Scan(tableSubs, arn+":", func(k string, _ []byte) error { keys = append(keys, k); return nil }); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(tableSubs, k); err != nil {
				return err
			}
		}
		return tx.Delete(tableTopics, arn)
	})
}

// SubscribeInput is what Subscribe takes.
type SubscribeInput struct {
	TopicArn, Protocol, Endpoint string
	Attributes                   map[string]string
}

// pendingProtocols need their endpoint to confirm before they receive
// messages.
var pendingProtocols = map[string]bool{"email": true, "email-json": true, "http": true, "https": true}

func checkEndpoint(protocol, endpoint string) error {
	switch protocol {
	case "email", "email-json":
		if !emailRE.MatchString(endpoint) {
			return invalid("Email address")
		}
	case "http", "https":
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme != protocol || u.Host == "" {
			return invalid("Endpoint must match the specified protocol")
		}
	case "lambda":
		if !lambdaArnRE.MatchString(endpoint) {
			return invalid("Lambda endpoint ARN")
		}
	case "sqs":
		if !sqsArnRE.MatchString(endpoint) {
			return invalid("SQS endpoint ARN")
		}
	case "sms", "application", "firehose":
		return invalid("Protocol Reason: the local cloud does not support the %s protocol", protocol)
	default:
		return invalid("Amazon SNS does not support this protocol string: %s", protocol)
	}
	return nil
}

// subscriptionAttributes are the attributes Subscribe and
// SetSubscriptionAttributes take.
var subscriptionAttributes = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

func checkSubscriptionAttribute(protocol, name, value string) error {
	if !subscriptionAttributes[name] {
		return invalid("AttributeName")
	}
	switch name {
	case "FilterPolicy":
		if value != "" && !isJSONObject(value) {
			return invalid("FilterPolicy: failed to parse JSON.")
		}
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return invalid("FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", value)
		}
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return invalid("RawMessageDelivery: Invalid value [%s]. Must be true or false.", value)
		}
		if value == "true" && (protocol == "email" || protocol == "email-json") {
			return invalid("Attributes Reason: Delivery protocol [%s] does not support raw message delivery.", protocol)
		}
	case "DeliveryPolicy":
		if value != "" && !isJSONObject(value) {
			return invalid("DeliveryPolicy: failed to parse JSON.")
		}
	case "RedrivePolicy":
		if value == "" {
			return nil
		}
		var rp struct{ DeadLetterTargetArn string }
		if err := json.Unmarshal([]byte(value), &rp); err != nil || !sqsArnRE.MatchString(rp.DeadLetterTargetArn) {
			return invalid("RedrivePolicy: deadLetterTargetArn is invalid")
		}
	case "SubscriptionRoleArn":
		if protocol != "firehose" {
			return invalid("Attributes Reason: SubscriptionRoleArn is only supported for the firehose protocol")
		}
	case "ReplayPolicy":
		return invalid("Attributes Reason: the local cloud does not support message replay (ReplayPolicy)")
	}
	return nil
}

func newConfirmToken() string {
	var b [64]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func sameAttributes(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Subscribe subscribes an endpoint to a topic. A subscription that
// exists for the same protocol and endpoint is returned as it is (with
// different attributes it is an error, as SNS answers).
func (s *Service) Subscribe(_ context.Context, in SubscribeInput) (*Subscription, error) {
	if err := checkTopicArn(in.TopicArn); err != nil {
		return nil, err
	}
	if in.Protocol == "" {
		return nil, invalid("Protocol")
	}
	if err := checkEndpoint(in.Protocol, in.Endpoint); err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		if err := checkSubscriptionAttribute(in.Protocol, k, v); err != nil {
			return nil, err
		}
		if v != "" {
			attrs[k] = v
		}
	}
	var out Subscription
	err := s.store.Update(func(tx *localcloud.Tx) error {
		t, err := getTopic(tx, in.TopicArn)
		if err != nil {
			return err
		}
		if t.Attributes["FifoTopic"] == "true" && in.Protocol != "sqs" {
			return invalid("Invalid protocol type: %s", in.Protocol)
		}
		var existing *Subscription
		err = tx.Scan(tableSubs, in.TopicArn+":", func(_ string, raw []byte) error {
			var sub Subscription
			if err := json.Unmarshal(raw, &sub); err != nil {
				return err
			}
			if sub.Protocol == in.Protocol && sub.Endpoint == in.Endpoint {
				existing = &sub
			}
			return nil
		})
		if err != nil {
			return err
		}
		if existing != nil {
			if len(in.Attributes) > 0 && !sameAttributes(existing.Attributes, attrs) {
				return invalid("Attributes Reason: Subscription already exists with different attributes")
			}
			out = *existing
			return nil
		}
		out = Subscription{
			Arn: in.TopicArn + ":" + localcloud.NewID(), TopicArn: in.TopicArn,
			Protocol: in.Protocol, Endpoint: in.Endpoint, Owner: localcloud.Account,
		}
		if len(attrs) > 0 {
			out.Attributes = attrs
		}
		switch {
		case pendingProtocols[in.Protocol] && s.opts.autoConfirm:
			// Confirmed as if the owner had followed the link at once.
		case pendingProtocols[in.Protocol]:
			out.PendingConfirmation = true
			out.Token = newConfirmToken()
			if err := queueConfirmation(tx, &out, s.now().UTC()); err != nil {
				return err
			}
		default:
			out.ConfirmationWasAuthenticated = true
		}
		return tx.Put(tableSubs, out.Arn, &out)
	})
	if err != nil {
		return nil, err
	}
	s.wakeUp()
	return &out, nil
}

// ConfirmSubscription confirms the subscription of topicArn that was sent
// token, as an authenticated API call does.
func (s *Service) ConfirmSubscription(_ context.Context, topicArn, token string) (string, error) {
	return s.confirmToken(topicArn, token, true)
}

// confirmToken confirms the subscription that was sent token; authenticated
// says whether the API (rather than the link) confirmed it.
func (s *Service) confirmToken(topicArn, token string, authenticated bool) (string, error) {
	var arn string
	err := s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getTopic(tx, topicArn); err != nil {
			return err
		}
		var sub *Subscription
		err := tx.Scan(tableSubs, topicArn+":", func(_ string, raw []byte) error {
			var v Subscription
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			if token != "" && v.Token == token {
				sub = &v
			}
			return nil
		})
		if err != nil {
			return err
		}
		if sub == nil {
			return invalid("Token")
		}
		arn = sub.Arn
		if !sub.PendingConfirmation {
			return nil
		}
		sub.PendingConfirmation = false
		sub.ConfirmationWasAuthenticated = authenticated
		return tx.Put(tableSubs, sub.Arn, sub)
	})
	return arn, err
}

// ConfirmLocally confirms the pending subscriptions of topicArn to
// endpoint, as the endpoint's owner following the confirmation link
// does (so ConfirmationWasAuthenticated stays false). It returns the
// subscription's ARN; an endpoint already confirmed gives its ARN.
func (s *Service) ConfirmLocally(_ context.Context, topicArn, endpoint string) (string, error) {
	var arn string
	err := s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getTopic(tx, topicArn); err != nil {
			return err
		}
		var pending []Subscription
		confirmed := ""
		err := tx.Scan(tableSubs, topicArn+":", func(_ string, raw []byte) error {
			var v Subscription
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			if v.Endpoint != endpoint {
				return nil
			}
			if v.PendingConfirmation {
				pending = append(pending, v)
			} else if confirmed == "" {
				confirmed = v.Arn
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			if confirmed == "" {
				return subNotFound()
			}
			arn = confirmed
			return nil
		}
		for i := range pending {
			pending[i].PendingConfirmation = false
			if err := tx.Put(tableSubs, pending[i].Arn, &pending[i]); err != nil {
				return err
			}
		}
		arn = pending[0].Arn
		return nil
	})
	return arn, err
}

func subscriptionTopic(arn string) (string, error) {
	i := strings.LastIndex(arn, ":")
	if i < 0 || !topicArnRE.MatchString(arn[:i]) || len(arn[i+1:]) != 36 {
		return "", invalid("SubscriptionArn")
	}
	return arn[:i], nil
}

func getSub(tx *localcloud.Tx, arn string) (*Subscription, error) {
	if _, err := subscriptionTopic(arn); err != nil {
		return nil, err
	}
	var sub Subscription
	found, err := tx.Get(tableSubs, arn, &sub)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, subNotFound()
	}
	return &sub, nil
}

// Unsubscribe deletes a subscription.
func (s *Service) Unsubscribe(_ context.Context, arn string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		sub, err := getSub(tx, arn)
		if err != nil {
			return err
		}
		if err := tx.Delete(tableSubs, arn); err != nil {
			return err
		}
		var t topic
		found, err := tx.Get(tableTopics, sub.TopicArn, &t)
		if err != nil || !found {
			return err
		}
		t.Deleted++
		return tx.Put(tableTopics, t.Arn, &t)
	})
}

// ListSubscriptions lists the region's subscriptions, 100 a page.
func (s *Service) ListSubscriptions(_ context.Context, region, nextToken string) ([]Subscription, string, error) {
	var out []Subscription
	var next string
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		out, next, err = page[Subscription](tx, tableSubs, TopicARN(region, ""), nextToken, nil)
		return err
	})
	return out, next, err
}

// ListSubscriptionsByTopic lists a topic's subscriptions, 100 a page.
func (s *Service) ListSubscriptionsByTopic(_ context.Context, topicArn, nextToken string) ([]Subscription, string, error) {
	var out []Subscription
	var next string
	err := s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getTopic(tx, topicArn); err != nil {
			return err
		}
		var err error
		out, next, err = page[Subscription](tx, tableSubs, topicArn+":", nextToken, nil)
		return err
	})
	return out, next, err
}

// Subscriptions returns every subscription of a topic, pending ones
// included (delivery skips them), in a stable order.
func (s *Service) Subscriptions(_ context.Context, topicArn string) ([]Subscription, error) {
	var out []Subscription
	err := s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getTopic(tx, topicArn); err != nil {
			return err
		}
		return tx.Scan(tableSubs, topicArn+":", func(_ string, raw []byte) error {
			var v Subscription
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			out = append(out, v)
			return nil
		})
	})
	return out, err
}

// GetSubscriptionAttributes returns a subscription's attributes as SNS
// gives them.
func (s *Service) GetSubscriptionAttributes(_ context.Context, arn string) (map[string]string, error) {
	var out map[string]string
	err := s.store.View(func(tx *localcloud.Tx) error {
		sub, err := getSub(tx, arn)
		if err != nil {
			return err
		}
		out = map[string]string{
			"SubscriptionArn":              sub.Arn,
			"TopicArn":                     sub.TopicArn,
			"Owner":                        sub.Owner,
			"Protocol":                     sub.Protocol,
			"Endpoint":                     sub.Endpoint,
			"PendingConfirmation":          strconv.FormatBool(sub.PendingConfirmation),
			"ConfirmationWasAuthenticated": strconv.FormatBool(sub.ConfirmationWasAuthenticated),
			"RawMessageDelivery":           "false",
			"SubscriptionPrincipal":        "arn:aws:iam::" + localcloud.Account + ":root",
		}
		for k, v := range sub.Attributes {
			out[k] = v
		}
		if out["FilterPolicy"] != "" && out["FilterPolicyScope"] == "" {
			out["FilterPolicyScope"] = "MessageAttributes"
		}
		if sub.Protocol == "http" || sub.Protocol == "https" {
			out["EffectiveDeliveryPolicy"] = defaultSubscriptionDeliveryPolicy
			if dp := sub.Attributes["DeliveryPolicy"]; dp != "" {
				out["EffectiveDeliveryPolicy"] = dp
			}
		}
		return nil
	})
	return out, err
}

// SetSubscriptionAttributes sets one attribute of a subscription; an
// empty value removes it.
func (s *Service) SetSubscriptionAttributes(_ context.Context, arn, name, value string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		sub, err := getSub(tx, arn)
		if err != nil {
			return err
		}
		if value != "" || name == "FilterPolicyScope" || name == "RawMessageDelivery" {
			if err := checkSubscriptionAttribute(sub.Protocol, name, value); err != nil {
				return err
			}
		} else if !subscriptionAttributes[name] {
			return invalid("AttributeName")
		}
		if sub.Attributes == nil {
			sub.Attributes = map[string]string{}
		}
		if value == "" {
			delete(sub.Attributes, name)
		} else {
			sub.Attributes[name] = value
		}
		if name == "FilterPolicy" && value == "" {
			delete(sub.Attributes, "FilterPolicyScope")
		}
		return tx.Put(tableSubs, arn, sub)
	})
}

func taggedTopic(tx *localcloud.Tx, arn string) (*topic, error) {
	t, err := getTopic(tx, arn)
	if err != nil {
		if e, ok := err.(*localcloud.Error); ok && e.Code == "NotFound" {
			return nil, resourceNotFound()
		}
		return nil, err
	}
	return t, nil
}

// TagResource adds tags to a topic (a tag of the same key is replaced).
func (s *Service) TagResource(_ context.Context, arn string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.store.Update(func(tx *localcloud.Tx) error {
		t, err := taggedTopic(tx, arn)
		if err != nil {
			return err
		}
		if t.Tags, err = mergeTags(t.Tags, tags); err != nil {
			return err
		}
		return tx.Put(tableTopics, arn, t)
	})
}

// UntagResource removes tags from a topic by key.
func (s *Service) UntagResource(_ context.Context, arn string, keys []string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		t, err := taggedTopic(tx, arn)
		if err != nil {
			return err
		}
		drop := map[string]bool{}
		for _, k := range keys {
			drop[k] = true
		}
		kept := t.Tags[:0]
		for _, tag := range t.Tags {
			if !drop[tag.Key] {
				kept = append(kept, tag)
			}
		}
		t.Tags = kept
		return tx.Put(tableTopics, arn, t)
	})
}

// ListTagsForResource returns a topic's tags, sorted by key.
func (s *Service) ListTagsForResource(_ context.Context, arn string) ([]Tag, error) {
	var out []Tag
	err := s.store.View(func(tx *localcloud.Tx) error {
		t, err := taggedTopic(tx, arn)
		if err != nil {
			return err
		}
		out = append(out, t.Tags...)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}
