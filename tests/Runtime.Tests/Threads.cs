using System;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>
/// Each side of a handshake test on a thread of its own: on the thread pool, a step queued
/// behind a blocked one may not start for half a second, and a check that something waits
/// would then pass for the wrong reason.
/// </summary>
internal static class Threads
{
    internal static Task Start(Action action) => Task.Factory.StartNew(action, default, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    internal static Task<T> Start<T>(Func<T> function) => Task.Factory.StartNew(function, default, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
