package topics

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// HandlerPath is where ConfirmationHandler serves the links SNS's
// messages carry: HandlerPath+"confirm" and HandlerPath+"unsubscribe".
const HandlerPath = "/_localcloud/sns/"

// snsTime is the timestamp format of SNS's notifications.
const snsTime = "2006-01-02T15:04:05.000Z"

func (s *Service) confirmURL(topicArn, token string) string {
	return s.endpoint() + HandlerPath + "confirm?" + url.Values{"TopicArn": {topicArn}, "Token": {token}}.Encode()
}

func (s *Service) unsubscribeURL(subArn string) string {
	return s.endpoint() + HandlerPath + "unsubscribe?" + url.Values{"SubscriptionArn": {subArn}}.Encode()
}

// signingCertURL names SNS's certificate in AWS's form. The local cloud
// has no SNS signing key, so a verifier fetching it will (rightly) reject
// the signature rather than trust a made-up one.
func signingCertURL(region string) string {
	return "https://sns." + region + ".amazonaws.com/SimpleNotificationService-localcloud.pem"
}

// signature is a digest of the message in the Signature field's form;
// it is not an RSA signature (see signingCertURL).
func signature(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// messageFor is the body a protocol gets: with MessageStructure json,
// the protocol's own entry or the default one.
func messageFor(m *Message, protocol string) string {
	if m.MessageStructure != "json" {
		return m.Message
	}
	var body map[string]any
	_ = json.Unmarshal([]byte(m.Message), &body)
	if v, ok := body[protocol].(string); ok {
		return v
	}
	v, _ := body["default"].(string)
	return v
}

type attributeJSON struct {
	Type  string
	Value string
}

func notificationAttributes(attrs map[string]MessageAttribute) map[string]attributeJSON {
	if len(attrs) == 0 {
		return nil
	}
	out := map[string]attributeJSON{}
	for k, a := range attrs {
		v := a.StringValue
		if a.BinaryValue != nil {
			v = base64.StdEncoding.EncodeToString(a.BinaryValue)
		}
		out[k] = attributeJSON{a.DataType, v}
	}
	return out
}

// notification is the JSON document SNS sends http, https and
// email-json endpoints, fields in SNS's order.
type notification struct {
	Type              string
	MessageId         string
	Token             string `json:",omitempty"`
	TopicArn          string
	Subject           string `json:",omitempty"`
	Message           string
	SubscribeURL      string `json:",omitempty"`
	Timestamp         string
	SignatureVersion  string
	Signature         string
	SigningCertURL    string
	UnsubscribeURL    string                   `json:",omitempty"`
	MessageAttributes map[string]attributeJSON `json:",omitempty"`
}

func (s *Service) notificationJSON(m *Message, sub *Subscription) []byte {
	msg := messageFor(m, sub.Protocol)
	ts := m.Time.UTC().Format(snsTime)
	n := notification{Type: "Notification", MessageId: m.ID, TopicArn: m.TopicArn, Subject: m.Subject, Message: msg,
		Timestamp: ts, SignatureVersion: "1", Signature: signature("Notification", m.ID, m.TopicArn, m.Subject, msg, ts),
		SigningCertURL: signingCertURL(regionOfArn(m.TopicArn)), UnsubscribeURL: s.unsubscribeURL(sub.Arn),
		MessageAttributes: notificationAttributes(m.MessageAttributes)}
	b, _ := json.MarshalIndent(n, "", "  ")
	return b
}

func (s *Service) confirmationJSON(d *Delivery) []byte {
	ts := d.Created.UTC().Format(snsTime)
	msg := "You have chosen to subscribe to the topic " + d.TopicArn + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."
	n := notification{Type: "SubscriptionConfirmation", MessageId: d.MessageID, Token: d.Token, TopicArn: d.TopicArn,
		Message: msg, SubscribeURL: s.confirmURL(d.TopicArn, d.Token), Timestamp: ts, SignatureVersion: "1",
		Signature:      signature("SubscriptionConfirmation", d.MessageID, d.TopicArn, d.Token, ts),
		SigningCertURL: signingCertURL(regionOfArn(d.TopicArn))}
	b, _ := json.MarshalIndent(n, "", "  ")
	return b
}

// lambdaEvent is the event SNS invokes a function with.
func (s *Service) lambdaEvent(m *Message, sub *Subscription) []byte {
	msg := messageFor(m, "lambda")
	attrs := map[string]any{}
	for k, a := range notificationAttributes(m.MessageAttributes) {
		attrs[k] = map[string]string{"Type": a.Type, "Value": a.Value}
	}
	ts := m.Time.UTC().Truncate(time.Millisecond)
	ev := events.SNSEvent{Records: []events.SNSEventRecord{{
		EventVersion: "1.0", EventSubscriptionArn: sub.Arn, EventSource: "aws:sns",
		SNS: events.SNSEntity{
			Type: "Notification", MessageID: m.ID, TopicArn: m.TopicArn, Subject: m.Subject, Message: msg,
			Timestamp: ts, SignatureVersion: "1", Signature: signature("Notification", m.ID, m.TopicArn, m.Subject, msg, ts.Format(snsTime)),
			SigningCertURL: signingCertURL(regionOfArn(m.TopicArn)), UnsubscribeURL: s.unsubscribeURL(sub.Arn),
			MessageAttributes: attrs,
		},
	}}}
	b, _ := json.Marshal(ev)
	return b
}
