package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/stepforge/stepforge/pkg/envconfig"
)

// objectStore is the part of the S3 API the ledger uses; *s3.Client
// satisfies it.
type objectStore interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Ledger record states.
const (
	statePending   = "pending"   // claimed: a POST to Medium is under way, or its outcome is unknown
	statePublished = "published" // Medium created the post
)

// record is a ledger object: what this stack knows of a post on Medium. Medium
// cannot be asked, so this is the only memory there is of what was sent.
type record struct {
	State  string `json:"state"`
	PostID string `json:"postId,omitempty"`

	// Published.
	MediumID      string     `json:"mediumId,omitempty"`
	URL           string     `json:"url,omitempty"`
	PublishedAt   *time.Time `json:"publishedAt,omitempty"`
	PublishStatus string     `json:"publishStatus,omitempty"`

	PostUpdatedAt *time.Time `json:"postUpdatedAt,omitempty"`

	// Pending.
	ClaimedAt *time.Time `json:"claimedAt,omitempty"`
	// HoldUntil is when the claiming invocation's time runs out: a pending
	// record older than that will never be completed by it.
	HoldUntil *time.Time `json:"holdUntil,omitempty"`
	// Claim identifies the claiming invocation, so that it recognises its own
	// claim when S3 applied a write whose answer was lost.
	Claim string `json:"claim,omitempty"`
	// Note tells whoever opens the object what happened and what to do.
	Note string `json:"note,omitempty"`
}

// published reports whether the record says the post is on Medium: written so
// by this function, or by a person who put the post's Medium URL in it.
func (r *record) published() bool {
	return r.State == statePublished || r.URL != ""
}

// parseRecord reads a ledger object. Besides the JSON this function writes it
// accepts a bare Medium URL, the simplest thing a person fixing the ledger by
// hand may put there.
func parseRecord(b []byte) (*record, error) {
	s := strings.TrimSpace(string(b))
	if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \n{") {
		return &record{State: statePublished, URL: s, MediumID: mediumIDFromURL(s)}, nil
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if r.published() {
		if r.MediumID == "" {
			r.MediumID = mediumIDFromURL(r.URL)
		}
		return &r, nil
	}
	if r.State != statePending {
		return nil, fmt.Errorf(`state is %q, want "pending" or "published", or a "url"`, r.State)
	}
	return &r, nil
}

// mediumPostID matches the post id Medium ends a post's URL with, as in
// https://medium.com/@user/some-title-e6f36a or https://medium.com/p/e6f36a.
var mediumPostID = regexp.MustCompile(`(?:^|[-/])([0-9a-f]{6,16})$`)

func mediumIDFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if m := mediumPostID.FindStringSubmatch(strings.TrimSuffix(u.Path, "/")); m != nil {
		return m[1]
	}
	return ""
}

// ledger keeps a record per Sanity post id in an S3 bucket of the stack.
type ledger struct {
	store  objectStore
	bucket string
	prefix string
	// timeout bounds each call, the SDK's own retries included.
	timeout time.Duration
}

func (l *ledger) key(postID string) string { return l.prefix + url.PathEscape(postID) + ".json" }

// location names a post's record as the AWS CLI takes it.
func (l *ledger) location(postID string) string { return "s3://" + l.bucket + "/" + l.key(postID) }

// errClaimed is create's answer when the record already exists.
var errClaimed = errors.New("the record exists")

// get returns the post's record, or nil when there is none.
func (l *ledger) get(ctx context.Context, postID string) (*record, error) {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	out, err := l.store.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(l.key(postID))})
	var missing *types.NoSuchKey
	if errors.As(err, &missing) {
		return nil, nil
	}
	if err != nil {
		return nil, l.failure(ctx, "read", postID, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, 64<<10))
	if err != nil {
		return nil, l.failure(ctx, "read", postID, err)
	}
	r, err := parseRecord(b)
	if err != nil {
		return nil, &LedgerFailed{Ledger: l.location(postID), Op: "read", Reason: "the record is not one this function wrote (" + err.Error() +
			"); fix it, or delete it to publish the post again"}
	}
	return r, nil
}

// create writes r only if the post has no record yet, and returns errClaimed
// if it has one.
func (l *ledger) create(ctx context.Context, postID string, r record) error {
	err := l.write(ctx, postID, r, true)
	switch code(err) {
	case "PreconditionFailed", "ConditionalRequestConflict":
		// 409: another conditional write of the key is under way.
		return errClaimed
	}
	return err
}

// put writes r over whatever record the post has.
func (l *ledger) put(ctx context.Context, postID string, r record) error {
	return l.write(ctx, postID, r, false)
}

func (l *ledger) write(ctx context.Context, postID string, r record, onlyNew bool) error {
	r.PostID = postID
	body, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return &LedgerFailed{Ledger: l.location(postID), Op: "write", Reason: "cannot encode the record", Err: err}
	}
	in := &s3.PutObjectInput{
		Bucket:      aws.String(l.bucket),
		Key:         aws.String(l.key(postID)),
		Body:        bytes.NewReader(append(body, '\n')),
		ContentType: aws.String("application/json"),
	}
	if onlyNew {
		// S3 answers 412 PreconditionFailed when the key exists, so exactly
		// one of two invocations racing for a post gets to publish it.
		in.IfNoneMatch = aws.String("*")
	}
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	if _, err := l.store.PutObject(ctx, in); err != nil {
		if onlyNew && (code(err) == "PreconditionFailed" || code(err) == "ConditionalRequestConflict") {
			return err
		}
		return l.failure(ctx, "write", postID, err)
	}
	return nil
}

// remove deletes the post's record.
func (l *ledger) remove(ctx context.Context, postID string) error {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	_, err := l.store.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(l.key(postID))})
	if err != nil {
		return l.failure(ctx, "delete", postID, err)
	}
	return nil
}

// failure types an S3 error: LedgerUnavailable when S3 did not answer in time
// or asked to be retried, LedgerFailed when it refused (access denied, no
// such bucket, ...).
func (l *ledger) failure(ctx context.Context, op, postID string, err error) error {
	loc := l.location(postID)
	var mis *envconfig.Misconfigured
	if errors.As(err, &mis) {
		return err
	}
	status, c := statusOf(err), code(err)
	switch {
	case status == 0, status >= 500, status == http.StatusTooManyRequests, status == http.StatusRequestTimeout,
		c == "SlowDown", c == "RequestTimeout", c == "ConditionalRequestConflict":
		if ctx.Err() != nil {
			err = fmt.Errorf("no answer within %s: %w", l.timeout, err)
		}
		return &LedgerUnavailable{Ledger: loc, Op: op, Err: err}
	}
	hint := "S3 refused the request"
	switch c {
	case "AccessDenied":
		hint = "the function's role lacks s3:GetObject, s3:PutObject or s3:DeleteObject on the ledger prefix"
	case "NoSuchBucket":
		hint = "MEDIUM_LEDGER_BUCKET names a bucket that does not exist"
	}
	return &LedgerFailed{Ledger: loc, Op: op, Reason: hint, Err: err}
}

// statusOf returns the HTTP status of S3's answer, or 0 when none came.
func statusOf(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// code returns the S3 error code, such as "PreconditionFailed", or "".
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
