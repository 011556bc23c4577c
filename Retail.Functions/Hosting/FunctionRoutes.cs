using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Retail.Functions.Hosting;

/// <summary>
/// The HTTP functions of this app as ASP.NET Core endpoints, for the processes where no Functions host runs them
/// (local runs, the embedded mode, tests). The route table is read from the functions' own <see cref="FunctionAttribute"/>
/// and <see cref="HttpTriggerAttribute"/>, the same attributes the Functions SDK writes into <c>functions.metadata</c>,
/// so both hosts serve the same routes and methods.
/// </summary>
internal static class FunctionRoutes
{
    /// <summary>Every <c>[Function]</c> method with an HTTP trigger in <paramref name="assembly"/>.</summary>
    public static IReadOnlyList<HttpFunction> Discover(Assembly assembly) =>
        [.. from type in assembly.GetTypes()
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            let function = method.GetCustomAttribute<FunctionAttribute>()
            where function is not null
            let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(a => a is not null)
            where trigger is not null
            orderby function.Name
            select HttpFunction.From(function.Name, trigger, method)];

    /// <summary>Maps each function at its route for its methods; a request runs the function as the Functions host would.</summary>
    public static IEndpointRouteBuilder MapHttpFunctions(this IEndpointRouteBuilder endpoints, IEnumerable<HttpFunction> functions)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var function in functions)
        {
            endpoints.MapMethods("/" + function.Route, function.Methods, function.InvokeAsync).WithName(function.Name);
        }
        return endpoints;
    }
}

/// <summary>One HTTP-triggered function: its name, route, methods, and how to call it with an ASP.NET Core request.</summary>
internal sealed class HttpFunction
{
    private readonly MethodInfo _method;
    private readonly ObjectFactory _factory;
    private readonly Func<HttpContext, object?>[] _arguments;

    private HttpFunction(string name, string route, IReadOnlyList<string> methods, AuthorizationLevel authLevel, MethodInfo method, Func<HttpContext, object?>[] arguments)
    {
        Name = name;
        Route = route;
        Methods = methods;
        AuthLevel = authLevel;
        _method = method;
        _factory = ActivatorUtilities.CreateFactory(method.DeclaringType!, Type.EmptyTypes);
        _arguments = arguments;
    }

    public string Name { get; }

    public string Route { get; }

    /// <summary>Upper-case HTTP methods.</summary>
    public IReadOnlyList<string> Methods { get; }

    public AuthorizationLevel AuthLevel { get; }

    public static HttpFunction From(string name, HttpTriggerAttribute trigger, MethodInfo method)
    {
        if (trigger.Route is not { Length: > 0 } route)
        {
            throw Unsupported(name, "it has no route");
        }
        if (trigger.AuthLevel != AuthorizationLevel.Anonymous)
        {
            // Function keys exist only under the Functions host; elsewhere such a function would be open.
            throw Unsupported(name, $"its authorization level is {trigger.AuthLevel}, and only anonymous functions are served without the Functions host");
        }
        if (method.ReturnType != typeof(Task<IResult>))
        {
            throw Unsupported(name, "it does not return Task<IResult>");
        }
        var arguments = method.GetParameters().Select(parameter => Argument(name, parameter)).ToArray();
        var methods = (trigger.Methods ?? []).Select(m => m.ToUpperInvariant()).ToArray();
        if (methods.Length == 0)
        {
            throw Unsupported(name, "it names no HTTP method");
        }
        return new HttpFunction(name, route, methods, trigger.AuthLevel, method, arguments);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var instance = _factory(context.RequestServices, null);
        var arguments = _arguments.Select(argument => argument(context)).ToArray();
        var result = await ((Task<IResult>)_method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, arguments, null)!).ConfigureAwait(false);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    private static Func<HttpContext, object?> Argument(string function, ParameterInfo parameter)
    {
        if (parameter.ParameterType == typeof(HttpRequest) && parameter.GetCustomAttribute<HttpTriggerAttribute>() is not null)
        {
            return context => context.Request;
        }
        if (parameter.ParameterType == typeof(string))
        {
            var name = parameter.Name!;
            return context => context.GetRouteValue(name) as string;
        }
        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return context => context.RequestAborted;
        }
        throw Unsupported(function, $"its parameter '{parameter.Name}' of type {parameter.ParameterType.Name} has no binding outside the Functions host");
    }

    private static InvalidOperationException Unsupported(string function, string why) =>
        new($"Function '{function}' cannot be served by ASP.NET Core: {why}.");
}
