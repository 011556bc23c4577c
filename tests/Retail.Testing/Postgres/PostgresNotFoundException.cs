namespace Retail.Testing.Postgres;

/// <summary>The PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed where the launcher looks.</summary>
public sealed class PostgresNotFoundException : Exception
{
    public PostgresNotFoundException()
        : base("PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found in /usr/lib/postgresql/*/bin or on PATH. Install them (Debian: apt-get install postgresql-15).")
    {
    }

    public PostgresNotFoundException(string message)
        : base(message)
    {
    }

    public PostgresNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
