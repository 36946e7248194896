// Package stacks is the local cloud's CloudFormation: stacks, change sets,
// events and exports, provisioned through one cfnengine.Provider per
// resource type, with AWS's status sequences (CREATE_IN_PROGRESS →
// CREATE_COMPLETE, or → ROLLBACK_IN_PROGRESS → ROLLBACK_COMPLETE; the
// UPDATE_* and DELETE_* equivalents), a reason on every failed resource,
// and everything kept in the local cloud's store.
//
// (Named stacks, not cloudformation, so as not to shadow the SDK's
// package in the tests that use both.)
package stacks

import (
	"bytes"
	"encoding/json"
	"time"
)

// Stack statuses, as CloudFormation names them.
const (
	CreateInProgress                        = "CREATE_IN_PROGRESS"
	CreateComplete                          = "CREATE_COMPLETE"
	CreateFailed                            = "CREATE_FAILED"
	RollbackInProgress                      = "ROLLBACK_IN_PROGRESS"
	RollbackComplete                        = "ROLLBACK_COMPLETE"
	RollbackFailed                          = "ROLLBACK_FAILED"
	UpdateInProgress                        = "UPDATE_IN_PROGRESS"
	UpdateCompleteCleanupInProgress         = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
	UpdateComplete                          = "UPDATE_COMPLETE"
	UpdateFailed                            = "UPDATE_FAILED"
	UpdateRollbackInProgress                = "UPDATE_ROLLBACK_IN_PROGRESS"
	UpdateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
	UpdateRollbackComplete                  = "UPDATE_ROLLBACK_COMPLETE"
	UpdateRollbackFailed                    = "UPDATE_ROLLBACK_FAILED"
	DeleteInProgress                        = "DELETE_IN_PROGRESS"
	DeleteComplete                          = "DELETE_COMPLETE"
	DeleteFailed                            = "DELETE_FAILED"
	DeleteSkipped                           = "DELETE_SKIPPED"
	ReviewInProgress                        = "REVIEW_IN_PROGRESS"
)

// Tables of the store.
const (
	tableStacks     = "cfn.stacks"     // stack id → stackRecord
	tableNames      = "cfn.names"      // live stack name → stack id
	tableEvents     = "cfn.events"     // stack id + "/" + sequence → Event
	tableChangeSets = "cfn.changesets" // change set id → changeSetRecord
)

// stackRecord is a stack as stored.
type stackRecord struct {
	ID, Name        string
	Status          string
	StatusReason    string `json:",omitempty"`
	Description     string `json:",omitempty"`
	TemplateBody    string
	Parameters      []Parameter
	Capabilities    []string          `json:",omitempty"`
	Tags            map[string]string `json:",omitempty"`
	Outputs         []Output          `json:",omitempty"`
	Resources       map[string]*resourceRecord
	DisableRollback bool `json:",omitempty"`
	// Previous is the stack as it was before the update in progress, for
	// its rollback.
	Previous     *previousState `json:",omitempty"`
	Created      time.Time
	LastUpdated  time.Time `json:",omitempty"`
	Deleted      time.Time `json:",omitempty"`
	NextEvent    int
	ChangeSetID  string `json:",omitempty"`
	Notification []string
}

type previousState struct {
	TemplateBody string
	Parameters   []Parameter
	Outputs      []Output
}

// Parameter is one stack parameter as given (Value) and as resolved.
type Parameter struct {
	Key, Value       string
	UsePreviousValue bool `json:",omitempty"`
	NoEcho           bool `json:",omitempty"`
}

// Output is one resolved stack output.
type Output struct {
	Key, Value, Description, ExportName string
}

// resourceRecord is one resource of a stack.
type resourceRecord struct {
	LogicalID, Type     string
	PhysicalID          string `json:",omitempty"`
	Ref                 string `json:",omitempty"`
	Attributes          map[string]any
	Properties          json.RawMessage `json:",omitempty"`
	Status              string
	StatusReason        string `json:",omitempty"`
	Updated             time.Time
	DeletionPolicy      string `json:",omitempty"`
	UpdateReplacePolicy string `json:",omitempty"`
	// Old is the resource a replacement supersedes, deleted at cleanup
	// (or kept, and the replacement deleted, by a rollback).
	Old *resourceRecord `json:",omitempty"`
	// Before is the resource as it was before an in-place update, for
	// the rollback.
	Before *resourceRecord `json:",omitempty"`
	// Added marks a resource the update in progress created.
	Added bool `json:",omitempty"`
}

// properties decodes the resource's stored properties.
func (r *resourceRecord) properties() map[string]any {
	if len(r.Properties) == 0 {
		return map[string]any{}
	}
	dec := json.NewDecoder(bytes.NewReader(r.Properties))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// Event is one stack event.
type Event struct {
	EventID            string
	StackID, StackName string
	LogicalResourceID  string
	PhysicalResourceID string
	ResourceType       string
	Timestamp          time.Time
	ResourceStatus     string
	StatusReason       string `json:",omitempty"`
	ResourceProperties string `json:",omitempty"`
	ClientRequestToken string `json:",omitempty"`
}

// changeSetRecord is a change set as stored.
type changeSetRecord struct {
	ID, Name           string
	StackID, StackName string
	Type               string // CREATE or UPDATE
	Status             string // CREATE_COMPLETE, FAILED, DELETE_COMPLETE
	StatusReason       string `json:",omitempty"`
	ExecutionStatus    string // AVAILABLE, UNAVAILABLE, EXECUTE_IN_PROGRESS, EXECUTE_COMPLETE, OBSOLETE
	Description        string `json:",omitempty"`
	TemplateBody       string
	Parameters         []Parameter
	Capabilities       []string          `json:",omitempty"`
	Tags               map[string]string `json:",omitempty"`
	Changes            []Change
	Created            time.Time
}

// Change is one resource change of a change set.
type Change struct {
	Action             string // Add, Modify, Remove
	LogicalResourceID  string
	PhysicalResourceID string `json:",omitempty"`
	ResourceType       string
	Replacement        string   `json:",omitempty"` // True, False, Conditional (Modify only)
	Scope              []string `json:",omitempty"`
	Details            []ChangeDetail
}

// ChangeDetail is one reason a resource changes.
type ChangeDetail struct {
	Attribute          string // Properties, DeletionPolicy, ...
	Name               string `json:",omitempty"`
	RequiresRecreation string // Never, Conditionally, Always
	Evaluation         string // Static, Dynamic
	ChangeSource       string // DirectModification, ResourceReference, ParameterReference, ResourceAttribute
	CausingEntity      string `json:",omitempty"`
}
