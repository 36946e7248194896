package topics

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Tables of the store for published messages.
const (
	tableMessages   = "sns.messages"   // by <topic ARN> NUL <time-ordered key>
	tableDeliveries = "sns.deliveries" // by <time-ordered key> NUL <subscription ARN>
	tableDedup      = "sns.dedup"      // by <topic ARN> NUL <deduplication id>
)

// maxMessageBytes is SNS's limit on a message with its attributes (256 KiB).
const maxMessageBytes = 262144

// dedupWindow is how long a FIFO topic remembers a deduplication id.
const dedupWindow = 5 * time.Minute

// KeyChecker says whether the KMS key an encrypted topic names (an id,
// ARN or alias) can encrypt in region: nil when it can, else an error
// whose *localcloud.Error code, if any, is what Publish answers
// (KMSNotFound, KMSDisabled, ...).
type KeyChecker interface {
	CheckKey(ctx context.Context, region, keyID string) error
}

// KeyCheckerFunc is a func that is a KeyChecker.
type KeyCheckerFunc func(ctx context.Context, region, keyID string) error

// CheckKey calls f.
func (f KeyCheckerFunc) CheckKey(ctx context.Context, region, keyID string) error {
	return f(ctx, region, keyID)
}

// SetKeyChecker makes Publish check the KMS key of encrypted topics with
// k; nil (the default) checks none.
func (s *Service) SetKeyChecker(k KeyChecker) { s.keys = k }

// MessageAttribute is one message attribute: DataType String, Number,
// Binary or String.Array, optionally with a custom suffix (String.x).
type MessageAttribute struct {
	DataType    string
	StringValue string `json:",omitempty"`
	BinaryValue []byte `json:",omitempty"`
}

// PublishInput is Publish's input; TargetArn may name a topic.
type PublishInput struct {
	TopicArn               string
	TargetArn              string
	Message                string
	Subject                string
	MessageStructure       string
	MessageAttributes      map[string]MessageAttribute
	MessageGroupId         string
	MessageDeduplicationId string
}

// Message is a published message as the store keeps it.
type Message struct {
	ID                     string
	TopicArn               string
	Time                   time.Time
	Subject                string                      `json:",omitempty"`
	Message                string                      `json:",omitempty"`
	MessageStructure       string                      `json:",omitempty"`
	MessageAttributes      map[string]MessageAttribute `json:",omitempty"`
	MessageGroupId         string                      `json:",omitempty"`
	MessageDeduplicationId string                      `json:",omitempty"`
	// SequenceNumber is set for a FIFO topic's messages.
	SequenceNumber string `json:",omitempty"`
}

// Delivery is one message still to be delivered to one subscription.
type Delivery struct {
	Key             string // the delivery's key in the store, for the deliverer to remove it
	MessageID       string
	TopicArn        string
	SubscriptionArn string
	Protocol        string
	Endpoint        string
	Created         time.Time
	// Kind is "" for a notification, or "SubscriptionConfirmation" for
	// the request a pending subscription is sent (with its Token).
	Kind  string `json:",omitempty"`
	Token string `json:",omitempty"`
	// Attempts is how many deliveries failed; NextAt is when the next
	// one is due (zero: now).
	Attempts int       `json:",omitempty"`
	NextAt   time.Time `json:",omitzero"`
}

type dedupRecord struct {
	MessageID, SequenceNumber string
	Time                      time.Time
}

// Publish checks a message as SNS checks it and keeps it, with one pending
// delivery per subscription confirmed now; it returns the message id and,
// for a FIFO topic, its sequence number. A FIFO message whose
// deduplication id was seen in the last five minutes is not kept again:
// the first one's id comes back.
func (s *Service) Publish(ctx context.Context, region string, in PublishInput) (messageID string, err error) {
	m, err := s.publish(ctx, region, in)
	return m.ID, err
}

// PublishFIFO is Publish also returning the sequence number ("" for a
// standard topic).
func (s *Service) PublishFIFO(ctx context.Context, region string, in PublishInput) (messageID, sequenceNumber string, err error) {
	m, err := s.publish(ctx, region, in)
	return m.ID, m.SequenceNumber, err
}

func (s *Service) publish(ctx context.Context, region string, in PublishInput) (Message, error) {
	arn := in.TopicArn
	switch {
	case arn != "" && in.TargetArn != "":
		return Message{}, invalid("Only one of TopicArn or TargetArn may be specified")
	case arn == "" && in.TargetArn == "":
		return Message{}, invalid("TopicArn or TargetArn Reason: no value for required parameter")
	case arn == "":
		if !topicArnRE.MatchString(in.TargetArn) {
			return Message{}, invalid("TargetArn Reason: the local cloud publishes to topics only, not to platform endpoints")
		}
		arn = in.TargetArn
	}
	if err := checkTopicArn(arn); err != nil {
		return Message{}, err
	}
	if err := checkMessage(in); err != nil {
		return Message{}, err
	}
	var t *topic
	if err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		t, err = getTopic(tx, arn)
		return err
	}); err != nil {
		return Message{}, err
	}
	fifo := t.Attributes["FifoTopic"] == "true"
	dedupID := in.MessageDeduplicationId
	switch {
	case fifo && in.MessageGroupId == "":
		return Message{}, invalid("The MessageGroupId parameter is required for FIFO topics")
	case fifo && dedupID == "" && t.Attributes["ContentBasedDeduplication"] != "true":
		return Message{}, invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	case fifo && dedupID == "":
		sum := sha256.Sum256([]byte(in.Message))
		dedupID = hex.EncodeToString(sum[:])
	case !fifo && dedupID != "":
		return Message{}, invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
	}
	if key := t.Attributes["KmsMasterKeyId"]; key != "" && s.keys != nil && !strings.HasPrefix(key, "alias/aws/") {
		if err := s.keys.CheckKey(ctx, regionOfArn(arn), key); err != nil {
			if _, ok := err.(*localcloud.Error); ok {
				return Message{}, err
			}
			return Message{}, &localcloud.Error{Code: "KMSNotFound", Status: http.StatusBadRequest, Message: "Invalid keyId " + key + ": " + err.Error()}
		}
	}
	now := s.now().UTC()
	m := Message{ID: localcloud.NewID(), TopicArn: arn, Time: now, Subject: in.Subject, Message: in.Message,
		MessageStructure: in.MessageStructure, MessageAttributes: in.MessageAttributes,
		MessageGroupId: in.MessageGroupId, MessageDeduplicationId: in.MessageDeduplicationId}
	// Sealed before the transaction: KMS keeps its keys in the same store.
	stored, err := s.seal(ctx, t.Attributes["KmsMasterKeyId"], m)
	if err != nil {
		return Message{}, err
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		t, err := getTopic(tx, arn)
		if err != nil {
			return err
		}
		if fifo {
			var d dedupRecord
			found, err := tx.Get(tableDedup, arn+"\x00"+dedupID, &d)
			if err != nil {
				return err
			}
			if found && now.Sub(d.Time) < dedupWindow {
				m = Message{ID: d.MessageID, SequenceNumber: d.SequenceNumber}
				return nil
			}
			t.Sequence++
			m.SequenceNumber = fmt.Sprintf("1%019d", t.Sequence)
			if err := tx.Put(tableTopics, arn, t); err != nil {
				return err
			}
			if err := tx.Put(tableDedup, arn+"\x00"+dedupID, dedupRecord{m.ID, m.SequenceNumber, now}); err != nil {
				return err
			}
		}
		order := fmt.Sprintf("%020d", now.UnixNano()) + "-" + m.ID
		if err := tx.Put(tableMessages, arn+"\x00"+order, stored); err != nil {
			return err
		}
		var subs []Subscription
		if err := tx.Scan(tableSubs, arn+":", func(_ string, raw []byte) error {
			var sub Subscription
			if err := json.Unmarshal(raw, &sub); err != nil {
				return err
			}
			// A subscription still pending never gets this message, even
			// once confirmed; one whose filter policy rejects it neither.
			if !sub.PendingConfirmation && filterAccepts(sub.Attributes, &m) {
				subs = append(subs, sub)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, sub := range subs {
			d := Delivery{Key: order + "\x00" + sub.Arn, MessageID: m.ID, TopicArn: arn, SubscriptionArn: sub.Arn,
				Protocol: sub.Protocol, Endpoint: sub.Endpoint, Created: now}
			if err := tx.Put(tableDeliveries, d.Key, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	s.wakeUp()
	return m, nil
}

func regionOfArn(arn string) string {
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		return parts[3]
	}
	return localcloud.Region
}

func parameterValueInvalid(format string, args ...any) error {
	return &localcloud.Error{Code: "ParameterValueInvalid", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// attributeNameRE is what SNS allows in a message attribute's name.
var attributeNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// checkMessage validates what Publish checks before it looks the topic up.
func checkMessage(in PublishInput) error {
	if in.Message == "" {
		return invalid("Empty message")
	}
	// A subject is ASCII text under 100 characters with no line breaks
	// or control characters, as email subjects need.
	if in.Subject != "" && (len(in.Subject) > 100 || !isPrintableASCII(in.Subject)) {
		return invalid("Subject")
	}
	switch in.MessageStructure {
	case "":
	case "json":
		var body map[string]any
		if err := json.Unmarshal([]byte(in.Message), &body); err != nil || body == nil {
			return invalid("Message Structure - JSON message body failed to parse")
		}
		if _, ok := body["default"].(string); !ok {
			return invalid("Message Structure - No default entry in JSON message body")
		}
	default:
		return invalid("MessageStructure")
	}
	if n := len(in.MessageAttributes); n > 10 {
		return parameterValueInvalid("Number of message attributes [%d] exceeds the allowed maximum [10].", n)
	}
	size := len(in.Message)
	for name, a := range in.MessageAttributes {
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
		if err := checkAttribute(name, a); err != nil {
			return err
		}
	}
	if size > maxMessageBytes {
		return invalid("Message too long")
	}
	return nil
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// checkAttribute validates one message attribute as SNS does.
func checkAttribute(name string, a MessageAttribute) error {
	if !attributeNameRE.MatchString(name) || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") ||
		strings.Contains(name, "..") || strings.HasPrefix(strings.ToLower(name), "aws.") || strings.HasPrefix(strings.ToLower(name), "amazon.") {
		return parameterValueInvalid("The message attribute name '%s' is invalid.", name)
	}
	base, _, _ := strings.Cut(a.DataType, ".")
	if a.DataType == "String.Array" {
		base = "String.Array"
	}
	switch base {
	case "String", "Number", "String.Array":
		if a.StringValue == "" {
			return parameterValueInvalid("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, base)
		}
		if !utf8.ValidString(a.StringValue) {
			return parameterValueInvalid("The message attribute '%s' contains invalid characters.", name)
		}
	case "Binary":
		if len(a.BinaryValue) == 0 {
			return parameterValueInvalid("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
		}
	default:
		return parameterValueInvalid("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
	}
	switch base {
	case "Number":
		if _, err := strconv.ParseFloat(a.StringValue, 64); err != nil {
			return parameterValueInvalid("Could not cast message attribute '%s' value to number.", name)
		}
	case "String.Array":
		var arr []any
		if json.Unmarshal([]byte(a.StringValue), &arr) != nil {
			return parameterValueInvalid("The message attribute '%s' with type 'String.Array' has an invalid value: it must be a JSON array.", name)
		}
	}
	return nil
}

// Messages returns the messages published to a topic, oldest first.
func (s *Service) Messages(ctx context.Context, topicARN string) ([]Message, error) {
	var out []Message
	var stored []storedMessage
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableMessages, topicARN+"\x00", func(_ string, raw []byte) error {
			var m storedMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				return err
			}
			stored = append(stored, m)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for _, sm := range stored {
		m, err := s.unseal(ctx, sm)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// PendingDeliveries returns every message delivery not yet made, oldest
// first (confirmation requests not included).
func (s *Service) PendingDeliveries(ctx context.Context) ([]Delivery, error) {
	all, err := s.deliveries(ctx)
	out := all[:0]
	for _, d := range all {
		if d.Kind == "" {
			out = append(out, d)
		}
	}
	return out, err
}

// deliveries returns every delivery not yet made, confirmation requests
// included, in the order they were queued.
func (s *Service) deliveries(_ context.Context) ([]Delivery, error) {
	var out []Delivery
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableDeliveries, "", func(_ string, raw []byte) error {
			var d Delivery
			if err := json.Unmarshal(raw, &d); err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// DeliveryDone removes a delivery by its Key once it has been made.
func (s *Service) DeliveryDone(_ context.Context, key string) error {
	return s.store.Update(func(tx *localcloud.Tx) error { return tx.Delete(tableDeliveries, key) })
}
