package store

// MigrationStatements are the statements of migration version in dialect d,
// for tests that replay one on data written the old way.
func MigrationStatements(d Dialect, version int) []string {
	ms, err := loadMigrations(d)
	if err != nil {
		panic(err)
	}
	return splitStatements(ms[version-1].sql)
}
