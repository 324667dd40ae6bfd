package io.stackctl.taskmanager.task;

/** A validated request to create a task. */
public record NewTask(String title, String description, TaskStatus status) {}
