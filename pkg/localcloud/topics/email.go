package topics

import (
	"bytes"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Mail's fixed parts, as SNS's emails carry them.
const (
	mailFrom            = "no-reply@sns.amazonaws.com"
	mailFromName        = "AWS Notifications"
	defaultSubject      = "AWS Notification Message"
	confirmSubject      = "AWS Notification - Subscription Confirmation"
	outboxTimeFormat    = "2006-01-02T15-04-05.000000000Z"
	noReplyConfirm      = "Please do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to sns-opt-out"
	noReplyNotification = "Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support"
)

// email is one message for the outbox.
type email struct {
	id, fromName, to, subject, contentType, body string
	time                                         time.Time
}

// writeMail writes e into the outbox folder as an RFC 5322 file named
// by its time and id, so a listing sorts by time; it is written to a
// temporary file and renamed, so a reader never sees half a mail, and
// a delivery retried after a crash overwrites rather than duplicates.
func (s *Service) writeMail(e email, name string) error {
	dir := s.opts.outbox
	if dir == "" {
		return permanent(fmt.Errorf("no outbox folder is configured for email delivery"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	from := mail.Address{Name: e.fromName, Address: mailFrom}
	to := mail.Address{Address: e.to}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", to.String())
	header("Subject", e.subject)
	header("Date", e.time.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+e.id+"@sns.amazonaws.com>")
	header("MIME-Version", "1.0")
	header("Content-Type", e.contentType)
	header("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(e.body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")

	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.Bytes()); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

func mailName(t time.Time, id, subArn string) string {
	sub := subArn[strings.LastIndex(subArn, ":")+1:]
	if len(sub) > 8 {
		sub = sub[:8]
	}
	return t.UTC().Format(outboxTimeFormat) + "-" + id + "-" + sub + ".eml"
}

func fromName(displayName string) string {
	if displayName != "" {
		return displayName
	}
	return mailFromName
}

// mailNotification writes a message for an email or email-json
// subscription: the text with SNS's unsubscribe footer, or the JSON
// notification document.
func (s *Service) mailNotification(m *Message, sub *Subscription, displayName string, d *Delivery) error {
	e := email{id: m.ID, fromName: fromName(displayName), to: sub.Endpoint, subject: m.Subject, time: m.Time,
		contentType: "text/plain; charset=UTF-8"}
	if e.subject == "" {
		e.subject = defaultSubject
	}
	if sub.Protocol == "email-json" {
		e.body = string(s.notificationJSON(m, sub))
	} else {
		e.body = messageFor(m, "email") + "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n" +
			s.unsubscribeURL(sub.Arn) + "\n\n" + noReplyNotification + "\n"
	}
	return s.writeMail(e, mailName(d.Created, m.ID, sub.Arn))
}

// mailConfirmation writes the confirmation request of a pending email
// or email-json subscription.
func (s *Service) mailConfirmation(d *Delivery, sub *Subscription, displayName string) error {
	e := email{id: d.MessageID, fromName: fromName(displayName), to: sub.Endpoint, subject: confirmSubject, time: d.Created,
		contentType: "text/plain; charset=UTF-8"}
	if sub.Protocol == "email-json" {
		e.body = string(s.confirmationJSON(d))
	} else {
		e.body = "You have chosen to subscribe to the topic: \n" + d.TopicArn +
			"\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary): \n" +
			"Confirm subscription: " + s.confirmURL(d.TopicArn, d.Token) + "\n\n" + noReplyConfirm + "\n"
	}
	return s.writeMail(e, mailName(d.Created, d.MessageID, sub.Arn))
}
