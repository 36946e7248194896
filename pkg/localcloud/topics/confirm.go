package topics

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// ConfirmationHandler serves the links of SNS's messages: GET
// HandlerPath+"confirm?TopicArn=...&Token=..." confirms a pending
// subscription as its owner following the link does, and GET
// HandlerPath+"unsubscribe?SubscriptionArn=..." removes one. The
// assembler mounts it at HandlerPath on the local cloud's port.
func (s *Service) ConfirmationHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+HandlerPath+"confirm", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		arn, err := s.confirmToken(q.Get("TopicArn"), q.Get("Token"), false)
		if err != nil {
			linkPage(w, linkStatus(err), "Subscription not confirmed", err.Error())
			return
		}
		linkPage(w, http.StatusOK, "Subscription confirmed!",
			"You have successfully subscribed. Your subscription's id is: "+arn)
	})
	mux.HandleFunc("GET "+HandlerPath+"unsubscribe", func(w http.ResponseWriter, r *http.Request) {
		arn := r.URL.Query().Get("SubscriptionArn")
		if err := s.Unsubscribe(context.Background(), arn); err != nil {
			linkPage(w, linkStatus(err), "Subscription not removed", err.Error())
			return
		}
		linkPage(w, http.StatusOK, "Subscription removed!", "Your subscription to the topic has been removed: "+arn)
	})
	return mux
}

func linkStatus(err error) int {
	var le *localcloud.Error
	if errors.As(err, &le) && le.Status != 0 {
		return le.Status
	}
	return http.StatusInternalServerError
}

func linkPage(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}
