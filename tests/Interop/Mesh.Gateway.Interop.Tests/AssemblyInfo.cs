// The tests mostly wait on external client processes, so more of them than cores may run at once.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
