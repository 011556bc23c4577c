-- In Azure every app signs in as its own Entra ID principal, and all of them are members of azure_pg_admin.
-- The tables belong to whichever app ran the migrations first; grant them to that group so that the silo,
-- the API and the bridge can all use them. Where the group does not exist (a local server) there is nothing to do.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'azure_pg_admin') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO azure_pg_admin;
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO azure_pg_admin;
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO azure_pg_admin;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO azure_pg_admin;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO azure_pg_admin;
    END IF;
END
$$;
