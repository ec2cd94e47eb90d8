//! Raw SQL statements built piece by piece with numbered bind values, for the queries whose
//! shape depends on the request (search, matching).

use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;

/// A SQL statement under construction with its bind values, numbered as they are added.
pub struct Sql {
    pub query: BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery>,
    next: usize,
}

impl Default for Sql {
    fn default() -> Self {
        Self::new()
    }
}

impl Sql {
    pub fn new() -> Self {
        Sql {
            query: diesel::sql_query("").into_boxed(),
            next: 1,
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        let query = std::mem::replace(&mut self.query, diesel::sql_query("").into_boxed());
        self.query = query.sql(text);
        self
    }

    /// Adds a bind value and returns its placeholder, e.g. `$3`.
    pub fn bind<T, V>(&mut self, value: V) -> String
    where
        T: Send + 'static,
        Pg: diesel::sql_types::HasSqlType<T>,
        V: diesel::serialize::ToSql<T, Pg> + Send + 'static,
    {
        let query = std::mem::replace(&mut self.query, diesel::sql_query("").into_boxed());
        self.query = query.bind::<T, V>(value);
        let placeholder = format!("${}", self.next);
        self.next += 1;
        placeholder
    }
}

/// One line of `EXPLAIN` output.
#[derive(QueryableByName)]
pub struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    pub line: String,
}

/// The SQL test that an asset (`a`) admits a person of this age: the search filter and the
/// match's hard constraint are the same rule.
pub fn age_fits(sql: &mut Sql, age: i16) -> String {
    let age = sql.bind::<diesel::sql_types::Int2, _>(age);
    format!(
        "(a.min_age IS NULL OR a.min_age <= {age}) AND (a.max_age IS NULL OR a.max_age >= {age})"
    )
}
