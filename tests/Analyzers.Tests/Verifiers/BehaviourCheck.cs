using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GfnGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// The differential check of a fix (SPEC section 4: a fix never changes what the program does
/// beyond the contract). The code before and after the fix is compiled with every method it
/// defines recording its call (with its role: lock, unlock, zap, TLB flush, reclaim, or an
/// ordinary call) and how deep it ran, and the method the fix changed is run on enumerated inputs
/// in both. The calls must be the same, in the same order, on every input; only the reclaim the
/// diagnostic is on may move (KVM0003's fix moves it past the release), with everything it calls,
/// and it must still run exactly as often. A call a fix adds (KVM0006's flush, KVM0007's release)
/// is left out with what it calls.
/// </summary>
internal static class BehaviourCheck
{
    private const string TraceSource = """
        public static class GfnGuardTrace
        {
            public static readonly System.Collections.Generic.List<string> Calls = new System.Collections.Generic.List<string>();
            public static int Depth;
            public static void Enter(string call) { Calls.Add(Depth + "|" + call); Depth++; }
            public static void Exit() { Depth--; }
        }
        """;

    /// <summary>How many checks ran in this process (a test asserts the check is not skipped everywhere).</summary>
    internal static int Runs;

    /// <summary>
    /// Checks the method holding <paramref name="diagnostic"/> behaves the same in
    /// <paramref name="fixedProject"/> as in <paramref name="project"/>. Returns false (checking
    /// nothing) when the method cannot be run here: it calls a role method the compilation does
    /// not define (the runtime's, say), or its inputs cannot be made.
    /// </summary>
    internal static async Task<bool> SameBehaviourAsync(Project project, Project fixedProject, Diagnostic diagnostic, string what)
    {
        var before = await project.GetCompilationAsync();
        var after = await fixedProject.GetCompilationAsync();
        var tree = diagnostic.Location.SourceTree;
        if (before is null || after is null || tree is null)
        {
            return false;
        }

        var model = before.GetSemanticModel(tree);
        var member = (await tree.GetRootAsync()).FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<BaseMethodDeclarationSyntax>();
        if (member is null || model.GetDeclaredSymbol(member) is not IMethodSymbol method || method.ContainingType is null || method.IsGenericMethod || method.ContainingType.IsGenericType)
        {
            return false;
        }

        var roles = RoleContext.For(before, project.AnalyzerOptions).ForTree(tree).Roles;
        if (CallsAnUndefinedRoleMethod(member, model, roles))
        {
            return false;
        }

        var (beforeAssembly, beforeContext) = Load(Instrument(before, project), "before");
        var (afterAssembly, afterContext) = Load(Instrument(after, fixedProject), "after");
        try
        {
            if (beforeAssembly is null || afterAssembly is null)
            {
                return false;
            }

            var beforeRuns = Run(beforeAssembly, method);
            var afterRuns = Run(afterAssembly, method);
            if (beforeRuns is null || afterRuns is null)
            {
                return false;
            }

            // The one call a fix may move: the reclaim a KVM0003 diagnostic is on (the method it
            // calls, a helper whose chain ends in a reclaim or the reclaim itself).
            var moved = diagnostic.Id == DiagnosticIds.ReclaimUnderMmuLock ? MovedReclaim(diagnostic, model, RoleContext.For(before, project.AnalyzerOptions).ForTree(tree)) : null;

            // The calls a fix may add: KVM0006's the flush it inserts, KVM0007's the release.
            var added = diagnostic.Id switch
            {
                DiagnosticIds.FlushBeforeUnlock => "flush:",
                DiagnosticIds.UnbalancedMmuLock => "release:",
                _ => null,
            };
            Assert.Equal(beforeRuns.Count, afterRuns.Count);
            for (var i = 0; i < beforeRuns.Count; i++)
            {
                var (input, beforeTrace) = beforeRuns[i];
                var calls = Outermost(beforeTrace, moved, added);
                var fixedCalls = Outermost(afterRuns[i].Calls, moved, added);
                if (calls.LastOrDefault() == "throw:KvmContractViolationException")
                {
                    // The runtime refused the broken range before the fix: restoring the contract is the fix's job.
                    continue;
                }

                Assert.True(
                    calls.Count(c => c == moved) == fixedCalls.Count(c => c == moved),
                    $"{what}: on input ({input}) {moved} ran {calls.Count(c => c == moved)} times before and {fixedCalls.Count(c => c == moved)} after");
                bool Kept(string call) => call != moved && (added is null || !call.StartsWith(added, StringComparison.Ordinal));
                Assert.True(
                    added is null || calls.Count(c => !Kept(c) && c != moved) <= fixedCalls.Count(c => !Kept(c) && c != moved),
                    $"{what}: on input ({input}) the fix removed a call it may only add");
                var others = calls.Where(Kept).ToList();
                var fixedOthers = fixedCalls.Where(Kept).ToList();
                Assert.True(
                    others.SequenceEqual(fixedOthers),
                    $"{what}: on input ({input}) the calls were [{string.Join(", ", calls)}] before and [{string.Join(", ", fixedCalls)}] after");
            }

            Interlocked.Increment(ref Runs);
            return true;
        }
        finally
        {
            beforeContext?.Unload();
            afterContext?.Unload();
        }
    }

    /// <summary>
    /// The trace entry of the reclaim the diagnostic is on, or null: the method the call names
    /// when the compilation defines it (what it calls moves with it), else the direct reclaim at
    /// the end of its chain.
    /// </summary>
    private static string? MovedReclaim(Diagnostic diagnostic, SemanticModel model, RoleView roles)
    {
        var node = diagnostic.Location.SourceTree!.GetRoot().FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } call
            || model.GetOperation(call) is not Microsoft.CodeAnalysis.Operations.IInvocationOperation invocation
            || roles.Summaries.ReclaimChainOf(invocation) is not { IsEmpty: false } chain)
        {
            return null;
        }

        return invocation.TargetMethod.DeclaringSyntaxReferences.IsEmpty
            ? "reclaim:" + chain[^1]
            : (RoleOf(invocation.TargetMethod, roles.Roles) ?? "call") + ":" + invocation.TargetMethod.Name;
    }

    /// <summary>
    /// The trace without its depths, and without what ran inside a call that may move or be
    /// added (those calls themselves are kept; the comparison counts or skips them).
    /// </summary>
    private static List<string> Outermost(List<string> trace, string? moved, string? added)
    {
        var result = new List<string>();
        var inside = int.MaxValue;
        foreach (var entry in trace)
        {
            var bar = entry.IndexOf('|');
            if (bar < 0)
            {
                result.Add(entry);
                continue;
            }

            var depth = int.Parse(entry.AsSpan(0, bar), System.Globalization.CultureInfo.InvariantCulture);
            var call = entry.Substring(bar + 1);
            if (depth > inside)
            {
                continue;
            }

            inside = int.MaxValue;
            result.Add(call);
            if (call == moved || (added is not null && call.StartsWith(added, StringComparison.Ordinal)))
            {
                inside = depth;
            }
        }

        return result;
    }

    /// <summary>A role method the method calls that the compilation does not define (its calls could not be recorded).</summary>
    private static bool CallsAnUndefinedRoleMethod(SyntaxNode member, SemanticModel model, SymbolRoles roles)
    {
        foreach (var call in member.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (model.GetSymbolInfo(call).Symbol is IMethodSymbol callee && callee.DeclaringSyntaxReferences.IsEmpty
                && (RoleOf(callee, roles) is not null || callee.ContainingNamespace?.ToDisplayString().StartsWith("GfnGuard", StringComparison.Ordinal) == true))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The role a method plays for the trace, or null: reclaims are told apart, as the one call a fix may move.</summary>
    private static string? RoleOf(IMethodSymbol method, SymbolRoles roles)
    {
        if (roles.IsDirectReclaim(method))
        {
            return "reclaim";
        }

        if (roles.IsDirectTlbFlush(method))
        {
            return "flush";
        }

        if (RoleCatalog.ReleaseMethods.IsNamed(method.Name) || RoleCatalog.WriteUnlockFunctions.Contains(method.Name) || RoleCatalog.ReadUnlockFunctions.Contains(method.Name))
        {
            return "release";
        }

        if (roles.IsDirectZap(method)
            || RoleCatalog.AcquireMethods.IsNamed(method.Name)
            || RoleCatalog.LockPrimitives.Contains(method.Name))
        {
            return "call";
        }

        return null;
    }

    /// <summary>The compilation with a record of the call of every method it defines.</summary>
    private static Compilation Instrument(Compilation compilation, Project project)
    {
        var result = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(TraceSource, (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
        foreach (var tree in compilation.SyntaxTrees)
        {
            var roles = RoleContext.For(compilation, project.AnalyzerOptions).ForTree(tree).Roles;
            var model = compilation.GetSemanticModel(tree);
            var rewritten = new RecordCalls(model, roles).Visit(tree.GetRoot());
            result = result.ReplaceSyntaxTree(tree, tree.WithRootAndOptions(rewritten, tree.Options));
        }

        return result;
    }

    private static (Assembly? Assembly, AssemblyLoadContext? Context) Load(Compilation compilation, string name)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.WithAssemblyName(compilation.AssemblyName + "." + name + "." + Guid.NewGuid().ToString("N")).Emit(stream);
        if (!emitted.Success)
        {
            return (null, null);
        }

        stream.Position = 0;
        var context = new AssemblyLoadContext(name, isCollectible: true);
        return (context.LoadFromStream(stream), context);
    }

    /// <summary>The method run on each input: the input as text and the calls it made (an exception ends them with its type).</summary>
    private static List<(string Input, List<string> Calls)>? Run(Assembly assembly, IMethodSymbol method)
    {
        var type = assembly.GetType(MetadataName(method.ContainingType));
        var traceType = assembly.GetType("GfnGuardTrace");
        var trace = traceType?.GetField("Calls")?.GetValue(null) as List<string>;
        var depth = traceType?.GetField("Depth");
        if (type is null || trace is null || depth is null)
        {
            return null;
        }

        var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name == method.Name && m.GetParameters().Length == method.Parameters.Length).ToList();
        if (method.MethodKind == MethodKind.Constructor || candidates.Count != 1)
        {
            return null;
        }

        var target = candidates[0];
        var inputs = Inputs(target.GetParameters());
        if (inputs is null)
        {
            return null;
        }

        object? instance = null;
        if (!target.IsStatic && (instance = Make(type)) is null)
        {
            return null;
        }

        var runs = new List<(string, List<string>)>();
        foreach (var input in inputs)
        {
            trace.Clear();
            depth.SetValue(null, 0);
            var arguments = input.Select(i => i.Value).ToArray();
            try
            {
                target.Invoke(instance, arguments);
            }
            catch (TargetInvocationException e)
            {
                trace.Add("throw:" + e.InnerException?.GetType().Name);
            }

            runs.Add((string.Join(", ", input.Select(i => i.Text)), new List<string>(trace)));
        }

        return runs;
    }

    private static string MetadataName(INamedTypeSymbol type)
    {
        var names = new List<string>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            names.Insert(0, current.MetadataName);
        }

        var space = type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." : string.Empty;
        return space + string.Join("+", names);
    }

    /// <summary>Every combination of the values tried for each parameter (bools both ways, small numbers), at most 64.</summary>
    private static List<List<(string Text, object? Value)>>? Inputs(ParameterInfo[] parameters)
    {
        var choices = new List<List<(string, object?)>>();
        foreach (var parameter in parameters)
        {
            var type = parameter.ParameterType.IsByRef ? parameter.ParameterType.GetElementType()! : parameter.ParameterType;
            var values = ValuesOf(type);
            if (values is null)
            {
                return null;
            }

            choices.Add(values);
        }

        var combinations = new List<List<(string, object?)>> { new List<(string, object?)>() };
        foreach (var values in choices)
        {
            combinations = combinations.SelectMany(c => values.Select(v => new List<(string, object?)>(c) { v })).Take(64).ToList();
        }

        return combinations;
    }

    private static List<(string, object?)>? ValuesOf(Type type)
    {
        if (type == typeof(bool))
        {
            return new List<(string, object?)> { ("false", false), ("true", true) };
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(ulong) || type == typeof(uint))
        {
            return new List<(string, object?)> { ("0", Convert.ChangeType(0, type)), ("1", Convert.ChangeType(1, type)), ("4", Convert.ChangeType(4, type)) };
        }

        if (type == typeof(string))
        {
            return new List<(string, object?)> { ("\"\"", string.Empty) };
        }

        var made = Make(type);
        return made is null && !type.IsClass ? null : new List<(string, object?)> { (type.Name, made) };
    }

    /// <summary>An instance of a type of the code under test: delegates that do nothing but return default, objects and structs with such delegates in their fields.</summary>
    private static object? Make(Type type)
    {
        if (typeof(Delegate).IsAssignableFrom(type))
        {
            var invoke = type.GetMethod("Invoke")!;
            var parameters = invoke.GetParameters().Select(p => Expression.Parameter(p.ParameterType, p.Name)).ToArray();
            return Expression.Lambda(type, Expression.Default(invoke.ReturnType), parameters).Compile();
        }

        if (type.IsArray && type.GetElementType() is { } element)
        {
            // One element, so that a walk over it runs once.
            var array = Array.CreateInstance(element, 1);
            array.SetValue(Make(element), 0);
            return array;
        }

        if (type.IsAbstract || type.IsInterface || type.ContainsGenericParameters || type == typeof(object))
        {
            return type == typeof(object) ? new object() : null;
        }

        object? instance;
        try
        {
            instance = Activator.CreateInstance(type, nonPublic: true);
        }
        catch (MissingMethodException)
        {
            return null;
        }

        if (instance is null)
        {
            return null;
        }

        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
        {
            if (typeof(Delegate).IsAssignableFrom(field.FieldType) && !field.IsInitOnly)
            {
                field.SetValue(instance, Make(field.FieldType));
            }
        }

        return instance;
    }

    /// <summary>
    /// Records the call of every method the tree defines, with its role (<c>call</c> for an
    /// ordinary method) and how deep it ran: <c>GfnGuardTrace.Enter("role:name")</c> at its start
    /// and <c>Exit()</c> in a finally, so that what a call runs can be told from what runs after it.
    /// </summary>
    private sealed class RecordCalls : CSharpSyntaxRewriter
    {
        private readonly SemanticModel _model;
        private readonly SymbolRoles _roles;

        internal RecordCalls(SemanticModel model, SymbolRoles roles)
        {
            _model = model;
            _roles = roles;
        }

        public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
        {
            if (_model.GetDeclaredSymbol(node) is not { } method)
            {
                return base.VisitMethodDeclaration(node);
            }

            var visited = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
            return Recorded(method, visited.Body, visited.ExpressionBody) is { } body
                ? visited.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body)
                : visited;
        }

        public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
        {
            if (_model.GetDeclaredSymbol(node) is not IMethodSymbol method)
            {
                return base.VisitLocalFunctionStatement(node);
            }

            var visited = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
            return Recorded(method, visited.Body, visited.ExpressionBody) is { } body
                ? visited.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body)
                : visited;
        }

        /// <summary>The body with the record around it, or null for a method without one.</summary>
        private BlockSyntax? Recorded(IMethodSymbol method, BlockSyntax? body, ArrowExpressionClauseSyntax? expressionBody)
        {
            StatementSyntax[] statements;
            if (body is not null)
            {
                statements = body.Statements.ToArray();
            }
            else if (expressionBody is not null)
            {
                var returnsNothing = method.ReturnsVoid
                    || (method.IsAsync && method.ReturnType is INamedTypeSymbol { IsGenericType: false, Name: "Task" or "ValueTask" });
                statements = new[]
                {
                    returnsNothing
                        ? (StatementSyntax)SyntaxFactory.ExpressionStatement(expressionBody.Expression)
                        : SyntaxFactory.ReturnStatement(expressionBody.Expression),
                };
            }
            else
            {
                return null;
            }

            var role = RoleOf(method, _roles) ?? "call";
            var recorded = (BlockSyntax)SyntaxFactory.ParseStatement(
                $"{{ global::GfnGuardTrace.Enter(\"{role}:{method.Name}\"); try {{ }} finally {{ global::GfnGuardTrace.Exit(); }} }}");
            var guarded = (TryStatementSyntax)recorded.Statements[1];
            return recorded.ReplaceNode(guarded, guarded.WithBlock(SyntaxFactory.Block(statements)));
        }
    }
}
