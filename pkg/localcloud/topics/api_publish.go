package topics

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

type publishResult struct {
	MessageId      string
	SequenceNumber string `xml:",omitempty"`
}

type batchSuccess struct {
	Id, MessageId  string
	SequenceNumber string `xml:",omitempty"`
}

type batchFailure struct {
	Id, Code, Message string
	SenderFault       bool
}

type publishBatchResult struct {
	Successful []batchSuccess `xml:"Successful>member"`
	Failed     []batchFailure `xml:"Failed>member"`
}

// publishFields are Publish's fields but its attributes, which SNS sends
// as a map of Name and Value (not key and value) that messageAttributes reads.
type publishFields struct {
	TopicArn, TargetArn, PhoneNumber, Message, Subject, MessageStructure string
	MessageGroupId, MessageDeduplicationId                               string
}

func (f publishFields) input(attrs map[string]MessageAttribute) PublishInput {
	return PublishInput{TopicArn: f.TopicArn, TargetArn: f.TargetArn, Message: f.Message, Subject: f.Subject,
		MessageStructure: f.MessageStructure, MessageAttributes: attrs,
		MessageGroupId: f.MessageGroupId, MessageDeduplicationId: f.MessageDeduplicationId}
}

// messageAttributes reads prefix.entry.N.Name and prefix.entry.N.Value.*.
func messageAttributes(params map[string][]string, prefix string) (map[string]MessageAttribute, error) {
	var out map[string]MessageAttribute
	for _, n := range entryIndexes(params, prefix+".entry.") {
		base := prefix + ".entry." + strconv.Itoa(n)
		a := MessageAttribute{DataType: first(params, base+".Value.DataType"), StringValue: first(params, base+".Value.StringValue")}
		if b := first(params, base+".Value.BinaryValue"); b != "" {
			v, err := base64.StdEncoding.DecodeString(b)
			if err != nil {
				return nil, parameterValueInvalid("The message attribute '%s' has an invalid binary value.", first(params, base+".Name"))
			}
			a.BinaryValue = v
		}
		if out == nil {
			out = map[string]MessageAttribute{}
		}
		out[first(params, base+".Name")] = a
	}
	return out, nil
}

func entryIndexes(params map[string][]string, prefix string) []int {
	seen := map[int]bool{}
	var out []int
	for k := range params {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			num, _, _ := strings.Cut(rest, ".")
			if n, err := strconv.Atoi(num); err == nil && n > 0 && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

func first(params map[string][]string, k string) string {
	if v := params[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (s *Service) callPublish(ctx context.Context, region string, in *localcloud.Request) (any, error) {
	var v publishFields
	if err := in.Decode(&v); err != nil {
		return nil, err
	}
	if v.PhoneNumber != "" {
		return nil, invalid("PhoneNumber Reason: the local cloud does not send SMS")
	}
	attrs, err := messageAttributes(in.Params, "MessageAttributes")
	if err != nil {
		return nil, err
	}
	id, seq, err := s.PublishFIFO(ctx, region, v.input(attrs))
	if err != nil {
		return nil, err
	}
	return publishResult{id, seq}, nil
}

var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func (s *Service) callPublishBatch(ctx context.Context, region string, in *localcloud.Request) (any, error) {
	var v struct {
		TopicArn                   string
		PublishBatchRequestEntries []struct {
			Id, Message, Subject, MessageStructure, MessageGroupId, MessageDeduplicationId string
		}
	}
	if err := in.Decode(&v); err != nil {
		return nil, err
	}
	n := len(v.PublishBatchRequestEntries)
	switch {
	case n == 0:
		return nil, &localcloud.Error{Code: "EmptyBatchRequest", Status: http.StatusBadRequest, Message: "The batch request doesn't contain any entries."}
	case n > 10:
		return nil, &localcloud.Error{Code: "TooManyEntriesInBatchRequest", Status: http.StatusBadRequest, Message: "The batch request contains more entries than permissible."}
	}
	seen := map[string]bool{}
	for _, e := range v.PublishBatchRequestEntries {
		if !batchIDRE.MatchString(e.Id) {
			return nil, &localcloud.Error{Code: "InvalidBatchEntryId", Status: http.StatusBadRequest, Message: "The Id of a batch entry in a batch request doesn't abide by the specification."}
		}
		if seen[e.Id] {
			return nil, &localcloud.Error{Code: "BatchEntryIdsNotDistinct", Status: http.StatusBadRequest, Message: "Two or more batch entries in the request have the same Id."}
		}
		seen[e.Id] = true
	}
	var out publishBatchResult
	for i, e := range v.PublishBatchRequestEntries {
		attrs, err := messageAttributes(in.Params, "PublishBatchRequestEntries.member."+strconv.Itoa(i+1)+".MessageAttributes")
		f := publishFields{TopicArn: v.TopicArn, Message: e.Message, Subject: e.Subject, MessageStructure: e.MessageStructure,
			MessageGroupId: e.MessageGroupId, MessageDeduplicationId: e.MessageDeduplicationId}
		var id, seq string
		if err == nil {
			id, seq, err = s.PublishFIFO(ctx, region, f.input(attrs))
		}
		var ae *localcloud.Error
		switch {
		case err == nil:
			out.Successful = append(out.Successful, batchSuccess{e.Id, id, seq})
		case errors.As(err, &ae) && (ae.Code == "NotFound" || ae.Code == "AuthorizationError"):
			// The whole batch fails for the topic, as SNS answers.
			return nil, err
		case errors.As(err, &ae):
			out.Failed = append(out.Failed, batchFailure{e.Id, ae.Code, ae.Message, true})
		default:
			return nil, err
		}
	}
	return out, nil
}

// Authorization names the IAM action and resource of each SNS operation:
// "sns:<operation>" (PublishBatch is sns:Publish) on the topic it names,
// or "*" for those that name none.
func (s *Service) Authorization(op string, in *localcloud.Request) (string, []string) {
	action := "sns:" + op
	if op == "PublishBatch" {
		action = "sns:Publish"
	}
	p := in.Params
	region := in.Region
	if region == "" {
		region = localcloud.Region
	}
	switch {
	case first(p, "TopicArn") != "":
		return action, []string{first(p, "TopicArn")}
	case first(p, "TargetArn") != "":
		return action, []string{first(p, "TargetArn")}
	case first(p, "ResourceArn") != "":
		return action, []string{first(p, "ResourceArn")}
	case first(p, "SubscriptionArn") != "":
		if t, err := subscriptionTopic(first(p, "SubscriptionArn")); err == nil {
			return action, []string{t}
		}
	case op == "CreateTopic" && first(p, "Name") != "":
		return action, []string{TopicARN(region, first(p, "Name"))}
	}
	return action, []string{"*"}
}

// AccessDeniedCode is SNS's code for a call IAM refuses.
func (s *Service) AccessDeniedCode() string { return "AuthorizationError" }
