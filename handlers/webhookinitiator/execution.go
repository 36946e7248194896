package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// executionStarter is the one Step Functions call the function makes.
type executionStarter interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// maxInputBytes is the largest execution input Step Functions accepts.
const maxInputBytes = 256 * 1024

// execution is a started execution, or the one an earlier delivery of the
// same post version started.
type execution struct {
	Status       string     `json:"status"`
	ExecutionARN string     `json:"executionArn,omitempty"`
	StartDate    *time.Time `json:"startDate,omitempty"`
	Name         string     `json:"name"`
}

// start starts the state machine on input under name. Sanity redelivers a
// webhook it thinks failed, and the name is the same for the same post
// version, so Step Functions itself refuses the duplicate: that refusal is
// success here, answered with the execution already started.
func (h *handler) start(ctx context.Context, name string, input []byte) (execution, error) {
	client, err := h.stepFunctions(ctx)
	if err != nil {
		return execution{}, err
	}
	out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.cfg.stateMachineARN),
		Name:            aws.String(name),
		Input:           aws.String(string(input)),
	})
	if isAlreadyStarted(err) {
		prefix, _ := executionARNPrefix(h.cfg.stateMachineARN)
		return execution{Status: "duplicate", ExecutionARN: prefix + name, Name: name}, nil
	}
	if err != nil {
		return execution{}, err
	}
	return execution{Status: "started", ExecutionARN: aws.ToString(out.ExecutionArn), StartDate: out.StartDate, Name: name}, nil
}

func isAlreadyStarted(err error) bool {
	if err == nil {
		return false
	}
	var exists *types.ExecutionAlreadyExists
	var api smithy.APIError
	return errors.As(err, &exists) || errors.As(err, &api) && api.ErrorCode() == "ExecutionAlreadyExists"
}

// stepFunctions returns the Step Functions client, built on first use so
// that a cold start does no work before the first delivery needs it.
func (h *handler) stepFunctions(ctx context.Context) (executionStarter, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sfn == nil {
		cfg, err := h.loadAWS(ctx)
		if err != nil {
			return nil, err
		}
		h.sfn = sfn.NewFromConfig(cfg)
	}
	return h.sfn, nil
}

// executionARNPrefix returns the ARN prefix of the state machine's
// executions: arn:aws:states:r:a:stateMachine:M (or a version or alias of
// M) gives arn:aws:states:r:a:execution:M:, to which a name is appended.
func executionARNPrefix(stateMachineARN string) (string, bool) {
	parts := strings.SplitN(stateMachineARN, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "stateMachine" {
		return "", false
	}
	machine, _, _ := strings.Cut(parts[6], ":")
	if machine == "" {
		return "", false
	}
	return strings.Join(append(parts[:5:5], "execution", machine), ":") + ":", true
}

// Execution names are 1 to 80 characters. Only letters, digits, '-' and '_'
// are used: Express machines with logging enabled accept nothing else.
const maxNameLen = 80

// executionName names the execution for one version of a post: its id and
// the time Sanity last updated it. A redelivery of the same version gets the
// same name, a new version a new one. An id with characters a name cannot
// hold, or too long to fit, is cleaned and cut, and a hash of the whole id is
// added so that two ids never share a name.
func executionName(id string, updated time.Time) string {
	stamp := strings.Replace(updated.UTC().Format("20060102T150405.999999999Z"), ".", "_", 1)
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, id)
	if clean == id && len(id)+1+len(stamp) <= maxNameLen {
		return id + "-" + stamp
	}
	sum := sha256.Sum256([]byte(id))
	hash := hex.EncodeToString(sum[:6])
	room := maxNameLen - len(stamp) - len(hash) - 2
	if len(clean) > room {
		clean = clean[:room]
	}
	return clean + "-" + hash + "-" + stamp
}
