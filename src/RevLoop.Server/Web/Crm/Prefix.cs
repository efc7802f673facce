using System.Linq.Expressions;

namespace RevLoop.Server.Web.Crm;

/// <summary>
/// Prefix matching that seeks an index on both databases: <c>column &gt;= 'ab' AND column &lt; 'ab\uffff'</c> (SQLite's LIKE
/// ignores indexes, PostgreSQL's needs a C collation). The columns searched are stored normalised (lower-case email and domain,
/// E.164 phone) or as typed (names), hence <see cref="Lists.NameVariants"/> for names.
/// </summary>
public static class Prefix
{
    public const char Top = '\uffff';

    public static Expression<Func<T, bool>> Of<T>(Expression<Func<T, string?>> column, string prefix)
    {
        var hi = prefix + Top;
        var p = column.Parameters[0];
        var body = Expression.AndAlso(
            Compare(column.Body, prefix, ExpressionType.GreaterThanOrEqual),
            Compare(column.Body, hi, ExpressionType.LessThan));
        return Expression.Lambda<Func<T, bool>>(body, p);
    }

    /// <summary>Any of the (column, prefix) pairs.</summary>
    public static Expression<Func<T, bool>> Any<T>(params (Expression<Func<T, string?>> Column, string Prefix)[] options)
    {
        var p = Expression.Parameter(typeof(T), "x");
        Expression? body = null;
        foreach (var (column, prefix) in options)
        {
            var one = new Rebind(column.Parameters[0], p).Visit(Of(column, prefix).Body);
            body = body is null ? one : Expression.OrElse(body, one);
        }
        return Expression.Lambda<Func<T, bool>>(body ?? Expression.Constant(false), p);
    }

    private static BinaryExpression Compare(Expression column, string value, ExpressionType op)
    {
        // string.Compare(column, value) op 0: EF turns this into a plain comparison the index can seek.
        var compare = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, column, Param(value));
        return Expression.MakeBinary(op, compare, Expression.Constant(0));
    }

    // A captured value becomes a SQL parameter (a constant would be inlined into the query text and the plan cache).
    private static Expression Param(string value) => ((Expression<Func<string>>)(() => value)).Body;

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
