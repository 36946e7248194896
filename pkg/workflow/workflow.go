// Package workflow is the vocabulary a workflow is declared in: its
// functions, state machines, triggers, storage, topics, keys, parameters and
// the secrets it reads. A declaration is plain data; package gen turns it
// into a CloudFormation stack, and the local cloud runs it.
//
// Declarations name what they touch by value, never by ARN: a function lists
// the secrets it reads and the machines it starts, a state machine's tasks
// name the functions they invoke. The generator derives the least-privilege
// IAM statements, DefinitionSubstitutions and outputs from those values.
package workflow

import (
	"time"

	"github.com/stepforge/stepforge/pkg/asl"
)

// Workflow is one deployable unit: one CloudFormation stack.
type Workflow struct {
	// Name is the stack name and the name of its docs page, e.g. "pizza".
	Name string
	// Title and Description head the docs page and the template.
	Title, Description string
	// Seed names the blog post the workflow was first described in.
	Seed string

	Parameters []*Parameter
	Secrets    []*Secret
	Keys       []*Key
	Buckets    []*Bucket
	Topics     []*Topic
	Functions  []*Function
	Machines   []*StateMachine
	Rules      []*Rule
	HTTPAPIs   []*HTTPAPI
	RestAPIs   []*RestAPI
}

// Parameter is a template parameter the deployer sets.
type Parameter struct {
	Name        string
	Description string
	// Type is the CloudFormation parameter type; default String.
	Type    string
	Default string
	// Optional makes the empty string the default (Default "" means none).
	Optional bool
	// AllowedValues and AllowedPattern constrain the value.
	AllowedValues  []string
	AllowedPattern string
	// NoEcho hides the value in the console and API.
	NoEcho bool
}

// LogicalID is the parameter's name in the template.
func (p *Parameter) LogicalID() string { return p.Name }

// Secret is a Secrets Manager secret that exists outside the stack (its
// value is set by a person, not a template); the stack takes its name as a
// parameter with Default as the default.
type Secret struct {
	// Name is the logical name, e.g. "Sanity"; the parameter is <Name>SecretName.
	Name        string
	Default     string
	Description string
}

// ParameterName is the template parameter holding the secret's name.
func (s *Secret) ParameterName() string { return s.Name + "SecretName" }

// Key is a customer-managed KMS key with rotation on.
type Key struct {
	Name        string
	Description string
	// ForLogs lets CloudWatch Logs encrypt this account's log groups with
	// the key (log groups cannot use a key through IAM alone).
	ForLogs bool
}

// LogicalID is the key's name in the template.
func (k *Key) LogicalID() string { return k.Name + "Key" }

// Bucket is an S3 bucket with public access blocked, encryption at rest and
// a TLS-only policy.
type Bucket struct {
	Name string
	// EventBridge turns on EventBridge notifications for the bucket.
	EventBridge bool
	// ExpireDays, when set, deletes objects after that many days; a
	// parameter lets the deployer choose.
	ExpireDays *Parameter
}

// LogicalID is the bucket's name in the template.
func (b *Bucket) LogicalID() string { return b.Name + "Bucket" }

// Topic is an SNS topic encrypted with Key.
type Topic struct {
	Name        string
	DisplayName string
	Key         *Key
	// EmailFrom, when set, subscribes the address the parameter holds.
	EmailFrom *Parameter
}

// LogicalID is the topic's name in the template.
func (t *Topic) LogicalID() string { return t.Name + "Topic" }

// Function is a Lambda function running one package of handlers/.
type Function struct {
	// Name is the logical name, e.g. "CheckPizza".
	Name string
	// Handler is the folder under handlers/ the function's code is built from.
	Handler     string
	Description string
	// MemoryMB defaults to 128, Timeout to 10 seconds, LogRetentionDays to 30.
	MemoryMB         int
	Timeout          time.Duration
	LogRetentionDays int
	// Env is the function's environment.
	Env map[string]Value

	// What the function may touch; each becomes one IAM statement.
	ReadsSecrets   []*Secret
	StartsMachines []*StateMachine
	ReadsBuckets   []*Bucket
	// WritesBuckets may also be written and have objects deleted: a
	// record the function keeps, such as what it has published where.
	WritesBuckets []*Bucket
	// Grants are further statements for what has no declaration of its own
	// (an OpenSearch domain given by parameter).
	Grants []Grant
}

// LogicalID is the function's name in the template.
func (f *Function) LogicalID() string { return f.Name + "Function" }

// Grant is one IAM Allow statement.
type Grant struct {
	Actions   []string
	Resources []Value
}

// MachineType is Standard or Express.
type MachineType string

// The two state machine types.
const (
	Standard MachineType = "STANDARD"
	Express  MachineType = "EXPRESS"
)

// StateMachine is a Step Functions state machine.
type StateMachine struct {
	Name       string
	Type       MachineType
	Definition *asl.StateMachine
	// Logging, when set, sends execution history to a log group of the stack.
	Logging *Logging
	// Tracing turns on X-Ray tracing of executions.
	Tracing bool
}

// LogicalID is the machine's name in the template.
func (m *StateMachine) LogicalID() string { return m.Name + "StateMachine" }

// Logging configures a state machine's CloudWatch Logs destination.
type Logging struct {
	// Level is ALL, ERROR or FATAL.
	Level                string
	IncludeExecutionData bool
	RetentionDays        int
	// Key, when set, encrypts the log group.
	Key *Key
}

// Rule starts a state machine when an S3 object whose key ends with
// KeySuffix is created in Bucket (EventBridge "Object Created").
type Rule struct {
	Name      string
	Bucket    *Bucket
	KeySuffix string
	Machine   *StateMachine
}

// LogicalID is the rule's name in the template.
func (r *Rule) LogicalID() string { return r.Name + "Rule" }

// HTTPAPI is an API Gateway HTTP API whose routes run state machines.
type HTTPAPI struct {
	Name   string
	Routes []HTTPRoute
}

// LogicalID is the API's name in the template.
func (a *HTTPAPI) LogicalID() string { return a.Name + "HttpApi" }

// HTTPRoute runs Machine for "Method Path" with the request body as input;
// an Express machine runs synchronously (StartSyncExecution) and the caller
// receives the execution result.
type HTTPRoute struct {
	Method, Path string
	Machine      *StateMachine
}

// RestAPI is an API Gateway REST API with one stage.
type RestAPI struct {
	Name  string
	Stage string
	// Routes are the API's methods.
	Routes []RestRoute
}

// LogicalID is the API's name in the template.
func (a *RestAPI) LogicalID() string { return a.Name + "RestApi" }

// RestRoute is one method: either a Lambda proxy integration (Function) or a
// direct AWS integration starting Machine (StartExecution), mapping the
// request body to the execution input.
type RestRoute struct {
	Method, Path string
	Function     *Function
	Machine      *StateMachine
	// Responses are the integration's fixed response bodies by status code,
	// for a Machine route, e.g. 200 {"status": "webhook submitted"}.
	Responses map[int]string
}
