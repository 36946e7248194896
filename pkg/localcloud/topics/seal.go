package topics

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"fmt"
)

// storedMessage is a Message as the store keeps it: on an encrypted
// topic its subject, body and attributes are in Sealed instead.
type storedMessage struct {
	Message
	Sealed *sealed `json:",omitempty"`
}

// sealed is envelope encryption, as SNS does it: KMS encrypts a fresh
// data key (KMS takes at most 4 KiB, a message can be 256 KiB) and the
// data key seals the message with AES-GCM.
type sealed struct {
	KeyBlob    []byte
	Nonce      []byte
	Ciphertext []byte
}

type sealedContent struct {
	Subject           string                      `json:",omitempty"`
	Message           string                      `json:",omitempty"`
	MessageAttributes map[string]MessageAttribute `json:",omitempty"`
}

func encryptionContext(topicArn string) map[string]string {
	return map[string]string{"aws:sns:topicArn": topicArn}
}

// seal returns m as it is stored: encrypted under keyID when the topic
// names a key and the service has KMS.
func (s *Service) seal(ctx context.Context, keyID string, m Message) (storedMessage, error) {
	if keyID == "" {
		return storedMessage{Message: m}, nil
	}
	if s.opts.keys == nil {
		s.logf("topic %s names KMS key %s but the service has no KMS (WithKeys): message %s is kept unencrypted", m.TopicArn, keyID, m.ID)
		return storedMessage{Message: m}, nil
	}
	dataKey := make([]byte, 32)
	_, _ = rand.Read(dataKey)
	blob, err := s.opts.keys.Encrypt(ctx, keyID, dataKey, encryptionContext(m.TopicArn))
	if err != nil {
		return storedMessage{}, fmt.Errorf("sns: encrypt message for %s: %w", m.TopicArn, err)
	}
	plain, err := json.Marshal(sealedContent{m.Subject, m.Message, m.MessageAttributes})
	if err != nil {
		return storedMessage{}, err
	}
	gcm, err := newGCM(dataKey)
	if err != nil {
		return storedMessage{}, err
	}
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	out := storedMessage{Message: m, Sealed: &sealed{KeyBlob: blob, Nonce: nonce, Ciphertext: gcm.Seal(nil, nonce, plain, []byte(m.ID))}}
	out.Subject, out.Message.Message, out.MessageAttributes = "", "", nil
	return out, nil
}

// unseal returns the plaintext message.
func (s *Service) unseal(ctx context.Context, sm storedMessage) (Message, error) {
	if sm.Sealed == nil {
		return sm.Message, nil
	}
	if s.opts.keys == nil {
		return Message{}, fmt.Errorf("sns: message %s is encrypted and the service has no KMS", sm.ID)
	}
	dataKey, _, err := s.opts.keys.Decrypt(ctx, sm.Sealed.KeyBlob, encryptionContext(sm.TopicArn))
	if err != nil {
		return Message{}, fmt.Errorf("sns: decrypt message %s: %w", sm.ID, err)
	}
	gcm, err := newGCM(dataKey)
	if err != nil {
		return Message{}, err
	}
	plain, err := gcm.Open(nil, sm.Sealed.Nonce, sm.Sealed.Ciphertext, []byte(sm.ID))
	if err != nil {
		return Message{}, fmt.Errorf("sns: open message %s: %w", sm.ID, err)
	}
	var c sealedContent
	if err := json.Unmarshal(plain, &c); err != nil {
		return Message{}, err
	}
	m := sm.Message
	m.Subject, m.Message, m.MessageAttributes = c.Subject, c.Message, c.MessageAttributes
	return m, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sns: data key: %w", err)
	}
	return cipher.NewGCM(b)
}
