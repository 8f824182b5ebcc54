package messages_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coplan/coplan/messages"
)

// Every field problem code the code gives (Fields.Add and AddArgs, and the
// Code of FieldError and RowError literals) reads in Dutch and English, so no
// page ever shows a person an English developer sentence.
func TestEveryFieldCodeReadsInEveryLanguage(t *testing.T) {
	codes := map[string]string{} // code -> where
	for _, dir := range []string{"../store", "../api", "../coordination", "../survey"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					if sel, ok := x.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Add" || sel.Sel.Name == "AddArgs") && len(x.Args) >= 3 {
						if lit, ok := x.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							code, _ := strconv.Unquote(lit.Value)
							codes[code] = fset.Position(lit.Pos()).String()
						}
					}
				case *ast.KeyValueExpr:
					if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Code" {
						if lit, ok := x.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							code, _ := strconv.Unquote(lit.Value)
							codes[code] = fset.Position(lit.Pos()).String()
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(codes) < 40 {
		t.Fatalf("found only %d field codes; the walk misses them", len(codes))
	}
	for code, where := range codes {
		for _, lang := range messages.Languages {
			if !messages.Has(lang, "field."+code) {
				t.Errorf("%s: field code %q has no message in %s", where, code, lang)
			}
		}
	}
}
