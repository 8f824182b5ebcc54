package planner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Decode reads a plan file. Syntax and type errors come back as Problems with
// the JSON path as far as encoding/json reports it.
func Decode(r io.Reader) (*Input, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return DecodeBytes(data)
}

// DecodeBytes is Decode on a byte slice.
func DecodeBytes(data []byte) (*Input, error) {
	var in Input
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		var (
			syn *json.SyntaxError
			typ *json.UnmarshalTypeError
		)
		switch {
		case errors.As(err, &syn):
			line, col := position(data, syn.Offset)
			return nil, Problems{{Path: "$", Message: fmt.Sprintf("invalid JSON at line %d, column %d: %v", line, col, syn)}}
		case errors.As(err, &typ):
			path := "$"
			if typ.Field != "" {
				path += "." + typ.Field
			}
			return nil, Problems{{Path: path, Message: fmt.Sprintf("must be %s, not %s", typ.Type, typ.Value)}}
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, Problems{{Path: "$", Message: "the input ends too early"}}
		}
		return nil, Problems{{Path: "$", Message: err.Error()}}
	}
	if dec.More() {
		return nil, Problems{{Path: "$", Message: "data after the JSON object"}}
	}
	return &in, nil
}

func position(data []byte, offset int64) (line, col int) {
	before := string(data[:min(int(offset), len(data))])
	line = strings.Count(before, "\n") + 1
	col = len(before) - strings.LastIndex(before, "\n")
	return line, col
}
