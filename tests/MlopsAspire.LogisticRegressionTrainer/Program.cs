using MlopsAspire.LogisticRegressionTrainer;

return TrainingCommand.Run(args, Console.Error);
