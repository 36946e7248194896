package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stepforge/stepforge/pkg/awsconfig"
	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// sanityTimeout bounds the Sanity query: API Gateway gives the whole
// request 29 seconds.
const sanityTimeout = 10 * time.Second

// handler turns a Sanity webhook delivery into a workflow execution.
type handler struct {
	cfg config
	// cfgErr is why the environment is unusable; every request is answered
	// 500 until it is fixed.
	cfgErr  error
	secrets blog.SecretReader
	http    *http.Client
	now     func() time.Time
	loadAWS func(context.Context) (aws.Config, error)

	mu  sync.Mutex
	sfn executionStarter
}

// newHandler builds the handler from the environment read with getenv. It
// makes no calls: clients are built on first use.
func newHandler(getenv func(string) string) *handler {
	cfg, err := loadConfig(getenv)
	return &handler{
		cfg:     cfg,
		cfgErr:  err,
		secrets: &secrets.Cache{},
		http:    &http.Client{Timeout: sanityTimeout},
		now:     time.Now,
		loadAWS: awsconfig.Shared,
	}
}

// handle answers one delivery: authenticate it, read the post, enrich it and
// start the workflow on it. Every outcome is an HTTP answer; the error return
// is never used.
func (h *handler) handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	log := middleware.Logger(ctx)
	if h.cfgErr != nil {
		log.ErrorContext(ctx, "function is misconfigured", "error", h.cfgErr)
		return respond(http.StatusInternalServerError, message{"the function is misconfigured"}), nil
	}

	body, err := decodeBody(req)
	if err != nil {
		return h.reject(ctx, err), nil
	}
	sig, err := readSignature(req, h.now(), h.cfg.signatureMaxAge)
	if err != nil {
		return h.refuse(ctx, err), nil
	}
	settings, err := h.settings(ctx)
	if err != nil {
		return h.dependencyFailed(ctx, "Secrets Manager", err), nil
	}
	if !sig.matches(settings.WebhookSecret.Reveal(), body) {
		return h.refuse(ctx, &unauthorized{"signature does not match"}), nil
	}

	doc, err := parseDocument(body)
	if err != nil {
		return h.reject(ctx, err), nil
	}
	if reason := doc.ignored(); reason != "" {
		log.InfoContext(ctx, "delivery ignored", "postId", doc.ID, "reason", reason)
		return respond(http.StatusAccepted, ignored{Status: "ignored", Reason: reason}), nil
	}
	post, err := doc.transform(settings, h.cfg.siteURL)
	if err != nil {
		return h.reject(ctx, err), nil
	}
	if doc.MainImage != nil && post.MainImage == nil {
		log.WarnContext(ctx, "main image left out: its asset cannot be resolved", "postId", doc.ID)
	}
	if post.Categories, err = h.categories(ctx, settings, doc.ID); err != nil {
		return h.dependencyFailed(ctx, "Sanity", err), nil
	}

	input, err := blog.EncodeJSON(post)
	if err != nil {
		return h.reject(ctx, &badPost{"post cannot be encoded as JSON"}), nil
	}
	if len(input) > maxInputBytes {
		return h.reject(ctx, &badPost{"post is larger than the 256 KiB a workflow input may be"}), nil
	}
	exec, err := h.start(ctx, executionName(post.ID, post.UpdatedAt), input)
	if err != nil {
		return h.dependencyFailed(ctx, "Step Functions", err), nil
	}
	log.InfoContext(ctx, "workflow started", "postId", post.ID, "status", exec.Status, "executionArn", exec.ExecutionARN)
	return respond(http.StatusAccepted, exec), nil
}

// settings reads the Sanity settings. An unusable secret is dropped from the
// cache, so that fixing it takes effect on the next delivery rather than
// when the cached copy expires.
func (h *handler) settings(ctx context.Context) (sanitySettings, error) {
	var s sanitySettings
	err := h.secrets.JSON(ctx, h.cfg.secretID, &s)
	if err == nil {
		err = s.check()
	}
	if err != nil {
		h.secrets.Forget(h.cfg.secretID)
		return sanitySettings{}, err
	}
	return s, nil
}

// decodeBody returns the delivery's raw bytes, which the signature covers.
func decodeBody(req events.APIGatewayProxyRequest) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, &badPost{"body is marked base64-encoded but is not"}
	}
	return b, nil
}

// message is the body of every error answer.
type message struct {
	Message string `json:"message"`
}

// ignored is the answer to a delivery acknowledged without starting anything.
type ignored struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func (h *handler) refuse(ctx context.Context, err error) events.APIGatewayProxyResponse {
	reason := "unauthorized"
	var u *unauthorized
	if errors.As(err, &u) {
		reason = u.reason
	}
	middleware.Logger(ctx).WarnContext(ctx, "delivery refused", "reason", reason)
	return respond(http.StatusUnauthorized, message{reason})
}

func (h *handler) reject(ctx context.Context, err error) events.APIGatewayProxyResponse {
	reason := err.Error()
	var bad *badPost
	if errors.As(err, &bad) {
		reason = bad.reason
	}
	middleware.Logger(ctx).WarnContext(ctx, "delivery rejected", "reason", reason)
	return respond(http.StatusBadRequest, message{reason})
}

// dependencyFailed answers 502 naming the dependency, and logs the cause.
// The answer never carries the cause: it may hold details of the account.
func (h *handler) dependencyFailed(ctx context.Context, dependency string, err error) events.APIGatewayProxyResponse {
	middleware.Logger(ctx).ErrorContext(ctx, dependency+" failed", slog.String("dependency", dependency), slog.String("error", err.Error()))
	return respond(http.StatusBadGateway, message{dependency + " failed; the delivery can be retried"})
}

func respond(status int, v any) events.APIGatewayProxyResponse {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"cannot encode the answer"}`)
	}
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}
