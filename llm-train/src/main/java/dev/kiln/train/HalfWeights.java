package dev.kiln.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Float16 copies of every parameter of a {@link GptModel} for one mixed-precision step: leaves that
 * collect their own (float16, loss-scaled) gradients during the backward pass, while the float32
 * parameters stay the master weights the optimizer updates (DJL's type casts are not
 * differentiable, so the float16 weights are leaves and {@link #gradients()} hands their gradients
 * to the optimizer).
 *
 * <pre>{@code
 * HalfWeights half = model.halfWeights(step);
 * NDArray loss = model.loss(x, y, true, half);      // float16 compute, float32 loss
 * gc.backward(loss.mul(lossScale));
 * List<NDArray> grads = half.gradients();           // float32, in parameter order
 * }</pre>
 */
final class HalfWeights {
    private final NDManager scope;
    private final Map<Parameter, NDArray> leaves = new LinkedHashMap<>();
    private final NDArray zero;

    HalfWeights(List<Parameter> parameters, NDManager scope) {
        this.scope = scope;
        for (Parameter p : parameters) {
            NDArray h = p.getArray().toType(DataType.FLOAT16, false);
            h.attach(scope);
            h.setRequiresGradient(true);
            leaves.put(p, h);
        }
        this.zero = scope.zeros(new Shape(1), DataType.FLOAT32);
    }

    NDArray of(Parameter p) {
        return leaves.get(p);
    }

    /** A float16 copy of a constant (mask, rotary table) in {@code m}. */
    NDArray constant(NDArray a, NDManager m) {
        if (a.getDataType() == DataType.FLOAT16) {
            return a;
        }
        NDArray h = a.toType(DataType.FLOAT16, false);
        h.attach(m);
        return h;
    }

    /** {@code a} as float32 through type promotion ({@code a + 0f}), which autograd follows. */
    NDArray toFloat32(NDArray a) {
        return a.add(zero);
    }

    /** The gradients the backward pass left on the float16 leaves, as float32, in parameter order. */
    List<NDArray> gradients() {
        List<NDArray> out = new ArrayList<>(leaves.size());
        for (NDArray h : leaves.values()) {
            NDArray g = h.getGradient().toType(DataType.FLOAT32, false);
            g.attach(scope);
            out.add(g);
        }
        return out;
    }
}
