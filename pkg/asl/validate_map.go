package asl

import (
	"unicode/utf8"
)

// maxLabelLen is the longest Map Label AWS accepts.
const maxLabelLen = 40

// maxBatchBytes is the largest MaxInputBytesPerBatch, 256 KiB.
const maxBatchBytes = 262144

func (c *checker) mapState(path string, m *Map, lang QueryLanguage) {
	switch {
	case m.ItemProcessor == nil && m.Iterator == nil:
		c.add(path, "a Map state needs an ItemProcessor")
	case m.ItemProcessor != nil && m.Iterator != nil:
		c.add(path, "has both ItemProcessor and Iterator, its older name; keep ItemProcessor")
	}
	if m.Iterator != nil {
		c.fields(path+".Iterator", m.Iterator, lang, "an Iterator")
	}
	if p := m.ItemProcessor; p != nil {
		c.fields(path+".ItemProcessor", p, lang, "an ItemProcessor")
		c.processorConfig(path+".ItemProcessor.ProcessorConfig", &p.ProcessorConfig, lang)
	}
	if m.ItemSelector != nil && m.Parameters != nil {
		c.add(path, "has both ItemSelector and Parameters, its older name; keep ItemSelector")
	}
	c.atMostOne(path, "MaxConcurrency", m.MaxConcurrency != nil, m.MaxConcurrencyExpr != "", m.MaxConcurrencyPath != "")
	if m.MaxConcurrency != nil && *m.MaxConcurrency < 0 {
		c.add(path, "MaxConcurrency must not be negative (0 means no limit), not %d", *m.MaxConcurrency)
	}

	if !m.distributed() {
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"ItemReader", m.ItemReader != nil},
			{"ItemBatcher", m.ItemBatcher != nil},
			{"ResultWriter", m.ResultWriter != nil},
			{"ToleratedFailurePercentage", m.ToleratedFailurePercentage != nil || m.ToleratedFailurePercentageExpr != "" || m.ToleratedFailurePercentagePath != ""},
			{"ToleratedFailureCount", m.ToleratedFailureCount != nil || m.ToleratedFailureCountExpr != "" || m.ToleratedFailureCountPath != ""},
			{"Label", m.Label != ""},
		} {
			if f.set {
				c.add(path, "%s is only allowed in a distributed Map (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED)", f.name)
			}
		}
	}
	c.atMostOne(path, "ToleratedFailurePercentage", m.ToleratedFailurePercentage != nil, m.ToleratedFailurePercentageExpr != "", m.ToleratedFailurePercentagePath != "")
	if p := m.ToleratedFailurePercentage; p != nil && (*p < 0 || *p > 100) {
		c.add(path, "ToleratedFailurePercentage must be between 0 and 100, not %g", *p)
	}
	c.atMostOne(path, "ToleratedFailureCount", m.ToleratedFailureCount != nil, m.ToleratedFailureCountExpr != "", m.ToleratedFailureCountPath != "")
	if n := m.ToleratedFailureCount; n != nil && *n < 0 {
		c.add(path, "ToleratedFailureCount must not be negative, not %d", *n)
	}
	if n := utf8.RuneCountInString(m.Label); n > maxLabelLen {
		c.add(path, "Label is %d characters long; the limit is %d", n, maxLabelLen)
	}
	if r := m.ItemReader; r != nil {
		c.itemReader(path+".ItemReader", r, lang)
	}
	if b := m.ItemBatcher; b != nil {
		c.itemBatcher(path+".ItemBatcher", b, lang)
	}
	if w := m.ResultWriter; w != nil {
		c.resultWriter(path+".ResultWriter", w, lang)
	}
}

func (c *checker) processorConfig(path string, pc *ProcessorConfig, lang QueryLanguage) {
	c.fields(path, pc, lang, "a ProcessorConfig")
	switch pc.Mode {
	case "", Inline:
		if pc.ExecutionType != "" {
			c.add(path, "ExecutionType only applies to Mode DISTRIBUTED")
		}
	case Distributed:
		if pc.ExecutionType != Standard && pc.ExecutionType != Express {
			c.add(path, "a distributed Map needs ExecutionType STANDARD or EXPRESS, not %q", pc.ExecutionType)
		}
	default:
		c.add(path, "Mode must be INLINE or DISTRIBUTED, not %q", pc.Mode)
	}
}

func (c *checker) itemReader(path string, r *ItemReader, lang QueryLanguage) {
	c.fields(path, r, lang, "an ItemReader")
	if r.Resource == "" {
		c.add(path, "an ItemReader needs a Resource")
	}
	rc := r.ReaderConfig
	if rc == nil {
		return
	}
	at := path + ".ReaderConfig"
	c.fields(at, rc, lang, "a ReaderConfig")
	c.atMostOne(at, "MaxItems", rc.MaxItems != nil, rc.MaxItemsExpr != "", rc.MaxItemsPath != "")
	if rc.MaxItems != nil && *rc.MaxItems < 1 {
		c.add(at, "MaxItems must be positive, not %d", *rc.MaxItems)
	}
	c.oneOf(at, "InputType", rc.InputType, "CSV", "JSON", "JSONL", "MANIFEST", "PARQUET")
	c.oneOf(at, "CSVHeaderLocation", rc.CSVHeaderLocation, "FIRST_ROW", "GIVEN")
	if rc.CSVHeaderLocation == "GIVEN" && len(rc.CSVHeaders) == 0 {
		c.add(at, "CSVHeaderLocation GIVEN needs CSVHeaders")
	}
}

func (c *checker) itemBatcher(path string, b *ItemBatcher, lang QueryLanguage) {
	c.fields(path, b, lang, "an ItemBatcher")
	items := b.MaxItemsPerBatch != nil || b.MaxItemsPerBatchExpr != "" || b.MaxItemsPerBatchPath != ""
	bytes := b.MaxInputBytesPerBatch != nil || b.MaxInputBytesPerBatchExpr != "" || b.MaxInputBytesPerBatchPath != ""
	if !items && !bytes {
		c.add(path, "an ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch")
	}
	c.atMostOne(path, "MaxItemsPerBatch", b.MaxItemsPerBatch != nil, b.MaxItemsPerBatchExpr != "", b.MaxItemsPerBatchPath != "")
	c.atMostOne(path, "MaxInputBytesPerBatch", b.MaxInputBytesPerBatch != nil, b.MaxInputBytesPerBatchExpr != "", b.MaxInputBytesPerBatchPath != "")
	if n := b.MaxItemsPerBatch; n != nil && *n < 1 {
		c.add(path, "MaxItemsPerBatch must be positive, not %d", *n)
	}
	if n := b.MaxInputBytesPerBatch; n != nil && (*n < 1 || *n > maxBatchBytes) {
		c.add(path, "MaxInputBytesPerBatch must be between 1 and %d, not %d", maxBatchBytes, *n)
	}
}

func (c *checker) resultWriter(path string, w *ResultWriter, lang QueryLanguage) {
	c.fields(path, w, lang, "a ResultWriter")
	// AWS takes WriterConfig alone (reshape only), Resource with its
	// Parameters or Arguments (export to S3), or all of them.
	if w.Resource == "" && w.WriterConfig == nil {
		c.add(path, "a ResultWriter needs a WriterConfig, a Resource or both")
	}
	if w.Resource != "" && w.Parameters == nil && w.Arguments == nil {
		c.add(path, "a ResultWriter's Resource needs Parameters (JSONPath) or Arguments (JSONata) naming the bucket")
	}
	if wc := w.WriterConfig; wc != nil {
		at := path + ".WriterConfig"
		c.fields(at, wc, lang, "a WriterConfig")
		c.oneOf(at, "OutputType", wc.OutputType, "JSON", "JSONL")
		c.oneOf(at, "Transformation", wc.Transformation, "NONE", "COMPACT", "FLATTEN")
	}
}

// oneOf reports an enumerated field holding a value outside its set.
func (c *checker) oneOf(path, name, value string, allowed ...string) {
	if value == "" {
		return
	}
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	c.add(path, "%s must be one of %v, not %q", name, allowed, value)
}
