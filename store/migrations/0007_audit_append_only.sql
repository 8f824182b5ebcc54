-- 0007: the audit log cannot be changed through the application: triggers
-- refuse every UPDATE and DELETE on it, on both databases, whatever the role.
{{AUDIT_APPEND_ONLY}}
