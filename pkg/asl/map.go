package asl

// Map runs ItemProcessor once for every item of an array (ItemsPath in
// JSONPath, Items in JSONata) and outputs the array of results. An inline Map
// runs in the parent execution; a distributed one (ProcessorConfig Mode
// DISTRIBUTED) starts a child execution per item or batch and may read its
// items from S3 (ItemReader) and write its results there (ResultWriter).
type Map struct {
	Name          string
	Comment       string
	QueryLanguage QueryLanguage
	InputPath     Path // JSONPath
	ItemsPath     Path // JSONPath: a Reference Path to the array
	Items         any  // JSONata: an array or a "{% %}" expression
	ItemReader    *ItemReader
	ItemSelector  Object
	Parameters    Object // JSONPath: the older name of ItemSelector
	ItemBatcher   *ItemBatcher
	ItemProcessor *ItemProcessor
	Iterator      *Branch // the older, inline-only form of ItemProcessor

	MaxConcurrency     *int   // 0 means as many as possible
	MaxConcurrencyExpr string // JSONata, written as MaxConcurrency
	MaxConcurrencyPath Path   // JSONPath

	ToleratedFailurePercentage     *float64
	ToleratedFailurePercentageExpr string // JSONata
	ToleratedFailurePercentagePath Path   // JSONPath
	ToleratedFailureCount          *int
	ToleratedFailureCountExpr      string // JSONata
	ToleratedFailureCountPath      Path   // JSONPath

	Label          string // names the child executions of a distributed Map
	ResultWriter   *ResultWriter
	ResultSelector Object // JSONPath
	ResultPath     Path   // JSONPath
	OutputPath     Path   // JSONPath
	Output         any    // JSONata
	Assign         Object
	Retry          []Retrier
	Catch          []Catcher
	Next           string
	End            bool
	leftovers
}

func (m *Map) fields() []field {
	return []field{
		{"Comment", &m.Comment, "", kindPlain},
		{"QueryLanguage", &m.QueryLanguage, "", kindPlain},
		{"InputPath", &m.InputPath, JSONPath, kindNullablePath},
		{"ItemsPath", &m.ItemsPath, JSONPath, kindRefPath},
		{"Items", &m.Items, JSONata, kindTemplateOrExpr},
		{"ItemReader", &m.ItemReader, "", kindPlain},
		{"ItemSelector", &m.ItemSelector, "", kindTemplate},
		{"Parameters", &m.Parameters, JSONPath, kindTemplate},
		{"ItemBatcher", &m.ItemBatcher, "", kindPlain},
		{"ItemProcessor", &m.ItemProcessor, "", kindPlain},
		{"Iterator", &m.Iterator, "", kindPlain},
		{"MaxConcurrency", &m.MaxConcurrency, "", kindPlain},
		{"MaxConcurrency", &m.MaxConcurrencyExpr, JSONata, kindExpr},
		{"MaxConcurrencyPath", &m.MaxConcurrencyPath, JSONPath, kindRefPath},
		{"ToleratedFailurePercentage", &m.ToleratedFailurePercentage, "", kindPlain},
		{"ToleratedFailurePercentage", &m.ToleratedFailurePercentageExpr, JSONata, kindExpr},
		{"ToleratedFailurePercentagePath", &m.ToleratedFailurePercentagePath, JSONPath, kindRefPath},
		{"ToleratedFailureCount", &m.ToleratedFailureCount, "", kindPlain},
		{"ToleratedFailureCount", &m.ToleratedFailureCountExpr, JSONata, kindExpr},
		{"ToleratedFailureCountPath", &m.ToleratedFailureCountPath, JSONPath, kindRefPath},
		{"Label", &m.Label, "", kindPlain},
		{"ResultWriter", &m.ResultWriter, "", kindPlain},
		{"ResultSelector", &m.ResultSelector, JSONPath, kindTemplate},
		{"ResultPath", &m.ResultPath, JSONPath, kindResultPath},
		{"OutputPath", &m.OutputPath, JSONPath, kindNullablePath},
		{"Output", &m.Output, JSONata, kindTemplate},
		{"Assign", &m.Assign, "", kindTemplate},
		{"Retry", &m.Retry, "", kindPlain},
		{"Catch", &m.Catch, "", kindPlain},
		{"Next", &m.Next, "", kindPlain},
		{"End", &m.End, "", kindPlain},
	}
}

// distributed reports whether the Map starts child executions.
func (m *Map) distributed() bool {
	return m.ItemProcessor != nil && m.ItemProcessor.ProcessorConfig.Mode == Distributed
}

// ProcessorMode says where a Map's iterations run.
type ProcessorMode string

// The processor modes; the zero ProcessorConfig means Inline.
const (
	Inline      ProcessorMode = "INLINE"
	Distributed ProcessorMode = "DISTRIBUTED"
)

// ExecutionType is the kind of child execution a distributed Map starts.
type ExecutionType string

// The execution types of a distributed Map's children.
const (
	Standard ExecutionType = "STANDARD"
	Express  ExecutionType = "EXPRESS"
)

// ProcessorConfig chooses between an inline and a distributed Map.
type ProcessorConfig struct {
	Mode          ProcessorMode
	ExecutionType ExecutionType // required when Mode is Distributed
	leftovers
}

func (c *ProcessorConfig) fields() []field {
	return []field{
		{"Mode", &c.Mode, "", kindPlain},
		{"ExecutionType", &c.ExecutionType, "", kindPlain},
	}
}

// ItemProcessor is the state machine a Map runs for each item; like a
// Branch, its Next fields can only name its own states.
type ItemProcessor struct {
	ProcessorConfig ProcessorConfig
	Comment         string
	QueryLanguage   QueryLanguage
	StartAt         string
	States          States
	leftovers
}

func (p *ItemProcessor) fields() []field {
	return []field{
		{"ProcessorConfig", &p.ProcessorConfig, "", kindPlain},
		{"Comment", &p.Comment, "", kindPlain},
		{"QueryLanguage", &p.QueryLanguage, "", kindPlain},
		{"StartAt", &p.StartAt, "", kindPlain},
		{"States", &p.States, "", kindPlain},
	}
}

// ItemReader reads a distributed Map's items with an S3 integration such
// as "arn:aws:states:::s3:getObject" or "arn:aws:states:::s3:listObjectsV2".
type ItemReader struct {
	Resource     string
	ReaderConfig *ReaderConfig
	Parameters   Object // JSONPath
	Arguments    any    // JSONata
	leftovers
}

func (r *ItemReader) fields() []field {
	return []field{
		{"Resource", &r.Resource, "", kindPlain},
		{"ReaderConfig", &r.ReaderConfig, "", kindPlain},
		{"Parameters", &r.Parameters, JSONPath, kindTemplate},
		{"Arguments", &r.Arguments, JSONata, kindTemplateOrExpr},
	}
}

// ReaderConfig says how an ItemReader parses what it reads.
type ReaderConfig struct {
	InputType         string // CSV, JSON, JSONL, MANIFEST or PARQUET
	CSVHeaderLocation string // FIRST_ROW or GIVEN
	CSVHeaders        []string
	CSVDelimiter      string
	ManifestType      string
	MaxItems          *int
	MaxItemsExpr      string // JSONata, written as MaxItems
	MaxItemsPath      Path   // JSONPath
	leftovers
}

func (c *ReaderConfig) fields() []field {
	return []field{
		{"InputType", &c.InputType, "", kindPlain},
		{"CSVHeaderLocation", &c.CSVHeaderLocation, "", kindPlain},
		{"CSVHeaders", &c.CSVHeaders, "", kindPlain},
		{"CSVDelimiter", &c.CSVDelimiter, "", kindPlain},
		{"ManifestType", &c.ManifestType, "", kindPlain},
		{"MaxItems", &c.MaxItems, "", kindPlain},
		{"MaxItems", &c.MaxItemsExpr, JSONata, kindExpr},
		{"MaxItemsPath", &c.MaxItemsPath, JSONPath, kindRefPath},
	}
}

// ItemBatcher groups a distributed Map's items so one child execution
// processes many; BatchInput is added to every batch.
type ItemBatcher struct {
	MaxItemsPerBatch          *int
	MaxItemsPerBatchExpr      string // JSONata, written as MaxItemsPerBatch
	MaxItemsPerBatchPath      Path   // JSONPath
	MaxInputBytesPerBatch     *int
	MaxInputBytesPerBatchExpr string // JSONata, written as MaxInputBytesPerBatch
	MaxInputBytesPerBatchPath Path   // JSONPath
	BatchInput                Object
	leftovers
}

func (b *ItemBatcher) fields() []field {
	return []field{
		{"MaxItemsPerBatch", &b.MaxItemsPerBatch, "", kindPlain},
		{"MaxItemsPerBatch", &b.MaxItemsPerBatchExpr, JSONata, kindExpr},
		{"MaxItemsPerBatchPath", &b.MaxItemsPerBatchPath, JSONPath, kindRefPath},
		{"MaxInputBytesPerBatch", &b.MaxInputBytesPerBatch, "", kindPlain},
		{"MaxInputBytesPerBatch", &b.MaxInputBytesPerBatchExpr, JSONata, kindExpr},
		{"MaxInputBytesPerBatchPath", &b.MaxInputBytesPerBatchPath, JSONPath, kindRefPath},
		{"BatchInput", &b.BatchInput, "", kindTemplate},
	}
}

// ResultWriter writes a distributed Map's results to S3
// ("arn:aws:states:::s3:putObject") and/or reshapes them (WriterConfig).
type ResultWriter struct {
	Resource     string
	Parameters   Object // JSONPath
	Arguments    any    // JSONata
	WriterConfig *WriterConfig
	leftovers
}

func (w *ResultWriter) fields() []field {
	return []field{
		{"Resource", &w.Resource, "", kindPlain},
		{"Parameters", &w.Parameters, JSONPath, kindTemplate},
		{"Arguments", &w.Arguments, JSONata, kindTemplateOrExpr},
		{"WriterConfig", &w.WriterConfig, "", kindPlain},
	}
}

// WriterConfig shapes the results a ResultWriter writes.
type WriterConfig struct {
	OutputType     string // JSON or JSONL
	Transformation string // NONE, COMPACT or FLATTEN
	leftovers
}

func (c *WriterConfig) fields() []field {
	return []field{
		{"OutputType", &c.OutputType, "", kindPlain},
		{"Transformation", &c.Transformation, "", kindPlain},
	}
}

// JSON methods: each type's fields method fixes what is written, and in
// which order.

func (c ProcessorConfig) MarshalJSON() ([]byte, error) { return marshalObject(&c) }
func (p ItemProcessor) MarshalJSON() ([]byte, error)   { return marshalObject(&p) }
func (r ItemReader) MarshalJSON() ([]byte, error)      { return marshalObject(&r) }
func (c ReaderConfig) MarshalJSON() ([]byte, error)    { return marshalObject(&c) }
func (b ItemBatcher) MarshalJSON() ([]byte, error)     { return marshalObject(&b) }
func (w ResultWriter) MarshalJSON() ([]byte, error)    { return marshalObject(&w) }
func (c WriterConfig) MarshalJSON() ([]byte, error)    { return marshalObject(&c) }

func (c *ProcessorConfig) UnmarshalJSON(b []byte) error { return unmarshalObject(b, c) }
func (p *ItemProcessor) UnmarshalJSON(b []byte) error   { return unmarshalObject(b, p) }
func (r *ItemReader) UnmarshalJSON(b []byte) error      { return unmarshalObject(b, r) }
func (c *ReaderConfig) UnmarshalJSON(b []byte) error    { return unmarshalObject(b, c) }
func (b *ItemBatcher) UnmarshalJSON(d []byte) error     { return unmarshalObject(d, b) }
func (w *ResultWriter) UnmarshalJSON(b []byte) error    { return unmarshalObject(b, w) }
func (c *WriterConfig) UnmarshalJSON(b []byte) error    { return unmarshalObject(b, c) }
