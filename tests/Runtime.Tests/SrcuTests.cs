using System.Threading;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>
/// kvm->srcu: a reader preempted between reading the epoch and counting itself must still be
/// waited for by the next synchronize (issue 18, defect 7). The interleaving is forced with a handshake.
/// </summary>
public sealed class SrcuTests
{
    private static readonly System.TimeSpan Watchdog = System.TimeSpan.FromSeconds(10);

    [Fact]
    public void AReaderThatCountedItselfAfterAFlip_IsWaitedForByTheNextSynchronize()
    {
        var srcu = new Srcu();
        using var readEpoch = new ManualResetEventSlim();
        using var mayCount = new ManualResetEventSlim();
        srcu.AfterReadingTheEpoch = () =>
        {
            srcu.AfterReadingTheEpoch = null;
            readEpoch.Set();
            Assert.True(mayCount.Wait(Watchdog));
        };

        using var counted = new ManualResetEventSlim();
        using var mayUnlock = new ManualResetEventSlim();
        var reader = Threads.Start(() =>
        {
            var idx = srcu.ReadLock();
            counted.Set();
            Assert.True(mayUnlock.Wait(Watchdog));
            srcu.ReadUnlock(idx);
        });

        // The reader read epoch 0; a writer flips and finds nobody counted yet.
        Assert.True(readEpoch.Wait(Watchdog));
        Assert.True(Threads.Start(srcu.Synchronize).Wait(Watchdog));

        // Now the reader counts itself (in epoch 0, which the writer already left) and reads on.
        mayCount.Set();
        Assert.True(counted.Wait(Watchdog));

        // The next synchronize must not finish while that reader is inside.
        var second = Threads.Start(srcu.Synchronize);
        Assert.False(second.Wait(200), "synchronize returned while a reader was still inside its read section");

        mayUnlock.Set();
        Assert.True(second.Wait(Watchdog));
        Assert.True(reader.Wait(Watchdog));
    }
}
