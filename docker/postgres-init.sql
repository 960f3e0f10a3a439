-- Run once by the postgres image on an empty volume, as its superuser: the gateway's two logins
-- (README, "Database logins"). The owner migrates; the application owns nothing and may only
-- INSERT and SELECT on the audit log. Demo passwords: set your own outside a demo.
CREATE ROLE passerelle_owner LOGIN PASSWORD 'passerelle-owner';
CREATE ROLE passerelle_app LOGIN PASSWORD 'passerelle-app';
CREATE ROLE passerelle_application NOLOGIN;
CREATE ROLE passerelle_audit_appender NOLOGIN;
GRANT passerelle_application, passerelle_audit_appender TO passerelle_owner WITH ADMIN OPTION;
GRANT passerelle_application TO passerelle_app;
ALTER DATABASE passerelle OWNER TO passerelle_owner;
ALTER SCHEMA public OWNER TO passerelle_owner;
