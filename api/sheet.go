package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

// sheet is a table coplan hands out as a file: CSV that Dutch Excel opens
// as columns (semicolon separated, UTF-8 with a byte-order mark, decimal
// commas, headers in the reader's language), plain CSV with ?excel=0 (comma,
// no mark, decimal points, the column keys as headers, for programs), or an
// .xlsx workbook with typed cells. Cells are string, int, float64,
// civil.Date or time.Time; names go beside their ids.
type sheet struct {
	name string   // the file name without extension
	cols []string // column keys; people read "csv.<key>" from the catalogue
	rows [][]any
}

func (sh *sheet) add(cells ...any) { sh.rows = append(sh.rows, cells) }

// writeCSV answers with the sheet as CSV, for Excel unless ?excel=0.
func writeCSV(c *gin.Context, sh *sheet) {
	excel := c.Query("excel") != "0"
	l := lang(c)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, sh.name))
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	header := sh.cols
	if excel {
		_, _ = c.Writer.Write([]byte("\ufeff"))
		w.Comma = ';'
		w.UseCRLF = true
		header = headers(l, sh.cols)
	}
	_ = w.Write(header)
	rec := make([]string, len(sh.cols))
	for _, row := range sh.rows {
		for i, cell := range row {
			rec[i] = csvCell(l, excel, cell)
		}
		_ = w.Write(rec)
	}
	w.Flush()
}

func headers(l string, cols []string) []string {
	out := make([]string, len(cols))
	for i, k := range cols {
		out[i] = translate(l, "csv."+k)
	}
	return out
}

// csvCell writes one cell: numbers with the reader's decimal comma for
// Excel, text never read as a formula.
func csvCell(l string, excel bool, cell any) string {
	switch v := cell.(type) {
	case nil:
		return ""
	case string:
		return csvSafe(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if excel && l != "en" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	case civil.Date:
		if v == 0 {
			return ""
		}
		return v.String()
	case *civil.Date:
		if v == nil {
			return ""
		}
		return v.String()
	case time.Time:
		if v.IsZero() {
			return ""
		}
		if excel {
			return v.In(civil.Amsterdam).Format("2006-01-02 15:04")
		}
		return v.In(civil.Amsterdam).Format(time.RFC3339)
	}
	return csvSafe(fmt.Sprint(cell))
}

// writeXLSX answers with the sheet as an Excel workbook: typed cells (dates
// as dates), the header row frozen and filterable.
func writeXLSX(c *gin.Context, sh *sheet) {
	f := excelize.NewFile()
	defer f.Close()
	const tab = "Sheet1"
	l := lang(c)
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14}) // the reader's short date
	timeStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	for i, h := range headers(l, sh.cols) {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellStr(tab, ref, h)
		_ = f.SetCellStyle(tab, ref, ref, bold)
	}
	for r, row := range sh.rows {
		for i, cell := range row {
			ref, _ := excelize.CoordinatesToCellName(i+1, r+2)
			setXLSXCell(f, tab, ref, cell, dateStyle, timeStyle)
		}
	}
	last, _ := excelize.CoordinatesToCellName(max(1, len(sh.cols)), len(sh.rows)+1)
	_ = f.AutoFilter(tab, "A1:"+last, nil)
	_ = f.SetPanes(tab, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	end, _ := excelize.ColumnNumberToName(max(1, len(sh.cols)))
	_ = f.SetColWidth(tab, "A", end, 18)
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, sh.name))
	c.Status(http.StatusOK)
	_ = f.Write(c.Writer)
}

func setXLSXCell(f *excelize.File, tab, ref string, cell any, dateStyle, timeStyle int) {
	switch v := cell.(type) {
	case nil:
	case string:
		_ = f.SetCellStr(tab, ref, v) // a string cell: never a formula
	case int:
		_ = f.SetCellInt(tab, ref, int64(v))
	case float64:
		_ = f.SetCellFloat(tab, ref, v, -1, 64)
	case civil.Date:
		if v != 0 {
			y, m, d := v.Parts()
			_ = f.SetCellValue(tab, ref, time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
			_ = f.SetCellStyle(tab, ref, ref, dateStyle)
		}
	case *civil.Date:
		if v != nil {
			setXLSXCell(f, tab, ref, *v, dateStyle, timeStyle)
		}
	case time.Time:
		if !v.IsZero() {
			a := v.In(civil.Amsterdam)
			_ = f.SetCellValue(tab, ref, time.Date(a.Year(), a.Month(), a.Day(), a.Hour(), a.Minute(), 0, 0, time.UTC))
			_ = f.SetCellStyle(tab, ref, ref, timeStyle)
		}
	default:
		_ = f.SetCellStr(tab, ref, fmt.Sprint(v))
	}
}

// languageWords names languages beside their codes: "ar ti" and "Arabisch, Tigrinya".
func languageWords(l string, codes []string) (string, string) {
	return strings.Join(codes, " "), messages.LanguageNames(l, codes)
}
