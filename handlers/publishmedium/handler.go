package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// credentials is the JSON shape of the Medium secret.
type credentials struct {
	Token    secrets.Value `json:"MEDIUM_TOKEN"`
	AuthorID string        `json:"MEDIUM_AUTHOR_ID"`
}

// Missing implements blog.Secret.
func (c *credentials) Missing() string {
	if c.Token == "" {
		return "MEDIUM_TOKEN"
	}
	return ""
}

type handler struct {
	client        *http.Client
	apiURL        string
	publishStatus string
	creds         blog.Credentials
	ledger        *ledger
	misconfigured error

	mu       sync.Mutex
	authorID string // learnt from GET /me and kept for warm invocations
}

// handle publishes post on Medium once. Medium's API cannot look a post up,
// update it or delete it, so the ledger is the only memory of what was sent:
// a post with a record is never posted again, and a post is claimed in the
// ledger before it is sent, so that of two invocations only one posts it.
// The middleware has already validated post.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	var creds credentials
	if err := h.creds.Read(ctx, &creds); err != nil {
		return blog.Skip(platform, err)
	}
	// Nothing before the POST may run into the reserve that is kept to
	// record the POST's outcome.
	pre, cancel := cut(ctx, blog.Reserve)
	defer cancel()

	rec, err := h.ledger.get(pre, post.ID)
	if err != nil {
		return blog.Result{}, err
	}
	if rec != nil {
		return h.known(ctx, post, rec)
	}
	author, err := h.author(ctx, creds)
	if err != nil {
		return blog.Result{}, h.forgetRejected(err)
	}
	now := time.Now().UTC()
	claim := record{
		State:         statePending,
		PostUpdatedAt: timePtr(post.UpdatedAt),
		ClaimedAt:     &now,
		HoldUntil:     timePtr(holdUntil(ctx, now)),
		Claim:         rand.Text(),
	}
	claim.Note = fmt.Sprintf("An invocation is publishing this post on Medium. If this record still says pending after %s, "+
		"nobody knows whether Medium created the post: look for it on Medium, then delete this object to publish it again, "+
		"or put the post's Medium URL in it (\"url\").", claim.HoldUntil.Format(time.RFC3339))
	switch err := h.ledger.create(pre, post.ID, claim); {
	case errors.Is(err, errClaimed):
		return h.claimedElsewhere(ctx, pre, post, creds, author, claim)
	case err != nil:
		return blog.Result{}, err
	}
	return h.publish(ctx, post, creds.Token, author, claim)
}

// claimedElsewhere handles a claim S3 refused because the post has a record
// after all: another invocation's, or this one's own when S3 applied the
// write and its answer was lost.
func (h *handler) claimedElsewhere(ctx, pre context.Context, post blog.Post, creds credentials, author string, claim record) (blog.Result, error) {
	rec, err := h.ledger.get(pre, post.ID)
	switch {
	case err != nil:
		return blog.Result{}, err
	case rec == nil: // claimed and released meanwhile: a later attempt decides
		return blog.Result{}, &PublishInProgress{PostID: post.ID, Ledger: h.ledger.location(post.ID), Until: time.Now()}
	case rec.State == statePending && !rec.published() && rec.Claim == claim.Claim:
		return h.publish(ctx, post, creds.Token, author, claim)
	}
	return h.known(ctx, post, rec)
}

// known answers for a post the ledger has a record of, without calling
// Medium: a published post is left as it is (Medium cannot update it), and
// a pending one is another invocation's, still running or ended without
// knowing what Medium did.
func (h *handler) known(ctx context.Context, post blog.Post, rec *record) (blog.Result, error) {
	loc := h.ledger.location(post.ID)
	if !rec.published() {
		if rec.HoldUntil != nil && time.Now().Before(*rec.HoldUntil) {
			return blog.Result{}, &PublishInProgress{PostID: post.ID, Ledger: loc, Until: *rec.HoldUntil}
		}
		var since time.Time
		if rec.ClaimedAt != nil {
			since = *rec.ClaimedAt
		}
		return blog.Result{}, &PublishOutcomeUnknown{PostID: post.ID, Ledger: loc, Since: since}
	}
	log := middleware.Logger(ctx)
	res := blog.Result{Platform: platform, ID: rec.MediumID, URL: rec.URL, Action: blog.ActionUnchanged}
	on := "already on Medium"
	if rec.PublishedAt != nil {
		on += " since " + rec.PublishedAt.UTC().Format(time.RFC3339)
	}
	if rec.PostUpdatedAt != nil && post.UpdatedAt.After(*rec.PostUpdatedAt) {
		res.Reason = fmt.Sprintf("%s; the edit of %s is not: Medium's API cannot update a post, so edit it on Medium by hand (%s)",
			on, post.UpdatedAt.UTC().Format(time.RFC3339), rec.URL)
		log.WarnContext(ctx, "edit not published on Medium", "postId", post.ID, "mediumId", rec.MediumID, "url", rec.URL,
			"postUpdatedAt", post.UpdatedAt, "publishedUpdatedAt", *rec.PostUpdatedAt, "ledger", loc, "reason", res.Reason)
		return res, nil
	}
	res.Reason = on + " (the ledger " + loc + " says so); Medium's API cannot update a post, so nothing was sent"
	log.InfoContext(ctx, "already published on Medium", "postId", post.ID, "mediumId", rec.MediumID, "url", rec.URL, "ledger", loc)
	return res, nil
}

// publish posts the claimed post and records what Medium did: the post, or
// no record when Medium certainly created nothing, or the claim kept when
// nobody can tell.
func (h *handler) publish(ctx context.Context, post blog.Post, token secrets.Value, author string, claim record) (blog.Result, error) {
	log := middleware.Logger(ctx)
	loc := h.ledger.location(post.ID)
	created, outcome, err := h.createPost(ctx, token, author, newMediumPost(post, h.publishStatus))
	final, cancel := cut(ctx, finalMargin)
	defer cancel()

	switch outcome {
	case notCreated:
		err = h.forgetRejected(err)
		if rerr := h.ledger.remove(final, post.ID); rerr != nil {
			var lu *LedgerUnavailable
			if errors.As(rerr, &lu) {
				rerr = lu.Err // its "nothing was sent" is not the story here
			}
			return blog.Result{}, &LedgerFailed{Ledger: loc, Op: "release the claim", Err: rerr,
				Reason: fmt.Sprintf("Medium created nothing (%v), but the claim could not be deleted", err),
				Fix:    fmt.Sprintf("while it is there the post will not be published: delete it (aws s3 rm %s), then publish again", loc)}
		}
		return blog.Result{}, err
	case unknown:
		now := time.Now().UTC()
		claim.HoldUntil = &now
		claim.Note = "Nobody knows whether Medium created this post: " + err.Error() +
			". Look for it on Medium, then delete this object to publish it again, or put the post's Medium URL in it (\"url\")."
		if perr := h.ledger.put(final, post.ID, claim); perr != nil {
			// The claim stays as it was; it expires at its HoldUntil.
			log.WarnContext(ctx, "could not note the unknown outcome in the ledger", "ledger", loc, "error", perr.Error())
		}
		unknownErr := &PublishOutcomeUnknown{PostID: post.ID, Ledger: loc, Reason: err.Error()}
		log.ErrorContext(ctx, "Medium publish outcome unknown", "postId", post.ID, "ledger", loc, "error", err.Error())
		return blog.Result{}, unknownErr
	}

	now := time.Now().UTC()
	rec := record{State: statePublished, MediumID: created.ID, URL: created.URL, PublishedAt: &now,
		PublishStatus: created.PublishStatus, PostUpdatedAt: timePtr(post.UpdatedAt)}
	res := blog.Result{Platform: platform, ID: created.ID, URL: created.URL, Action: blog.ActionCreated}
	if err := h.ledger.put(final, post.ID, rec); err != nil {
		// The post is on Medium, so this invocation succeeded; but the
		// ledger still holds the claim, which will stop the next run.
		res.Reason = fmt.Sprintf(`published, but the ledger %s could not be updated (%v): put {"state":"published","url":%q} in it, or the next run for this post stops with PublishOutcomeUnknown`, loc, err, created.URL)
		log.ErrorContext(ctx, "published on Medium but the ledger was not updated", "postId", post.ID, "mediumId", created.ID, "url", created.URL, "ledger", loc, "error", err.Error())
	}
	log.InfoContext(ctx, "published on Medium",
		"postId", post.ID, "mediumId", created.ID, "url", created.URL, "publishStatus", created.PublishStatus, "ledger", loc)
	return res, nil
}

// author returns the id Medium publishes under: the secret's, else the one
// the token belongs to, looked up once per warm process.
func (h *handler) author(ctx context.Context, c credentials) (string, error) {
	if c.AuthorID != "" {
		return c.AuthorID, nil
	}
	h.mu.Lock()
	id := h.authorID
	h.mu.Unlock()
	if id != "" {
		return id, nil
	}
	me, err := h.me(ctx, c.Token)
	if err != nil {
		return "", err
	}
	h.mu.Lock()
	h.authorID = me.ID
	h.mu.Unlock()
	return me.ID, nil
}

// forgetRejected drops the cached secret and author when Medium refuses the
// token, so a rotated token is read on the next attempt rather than after
// the cache's TTL.
func (h *handler) forgetRejected(err error) error {
	if h.creds.ForgetIfRefused(err) {
		h.mu.Lock()
		h.authorID = ""
		h.mu.Unlock()
	}
	return err
}

// cut returns ctx ending keep before its deadline, if it has one.
func cut(ctx context.Context, keep time.Duration) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-keep))
}

// holdUntil is when a claim made now stops meaning that its invocation may
// still be publishing: the invocation's deadline.
func holdUntil(ctx context.Context, now time.Time) time.Time {
	if deadline, ok := ctx.Deadline(); ok {
		return deadline.UTC()
	}
	return now.Add(functionTimeout)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
